import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '@vigil/observe';
import { freePort, waitFor } from '@vigil/testkit';
import { MemoryOutbox, Publisher } from '../../src/publish/index.js';

const settle = () => new Promise((r) => setTimeout(r, 150));

test('reconnect backoff doubles from initialMs to maxMs (+-20 % jitter), driven by a ManualClock; events wait in the outbox', async () => {
  const port = await freePort(); // nothing listens there: every attempt is refused at once
  const dir = mkdtempSync(join(tmpdir(), 'vigil-backoff-'));
  const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
  const outbox = new MemoryOutbox({ clock });
  const publisher = new Publisher({
    site: 'hue',
    gateway: 'gw-1',
    link: { url: `mqtt://127.0.0.1:${port}`, keepalive_s: 5 },
    outbox,
    agentVersion: '0.1.0-test',
    storageDir: dir,
    clock,
    backoff: { initialMs: 1000, maxMs: 4000 },
  });
  const errors: string[] = [];
  publisher.on('error', (e) => errors.push(e.message));
  try {
    publisher.start();
    await waitFor('first refusal', async () => errors.length === 1, 5000, 20);
    assert.match(errors[0]!, /cannot reach the broker \(ECONNREFUSED\); events wait in the outbox/);
    // attempt n waits base = min(maxMs, initialMs * 2^(n-1)), jittered into [0.8 base, 1.2 base]
    for (const base of [1000, 2000, 4000, 4000]) {
      const seen = errors.length;
      await settle();
      clock.advance(0.8 * base - 1);
      await settle();
      assert.equal(errors.length, seen, `no attempt before ${0.8 * base} ms`);
      clock.advance(0.4 * base + 2);
      await waitFor(`attempt after ~${base} ms`, async () => errors.length === seen + 1, 5000, 20);
    }
    publisher.publishTelemetry({ v: 1, at: new Date(clock.now()).toISOString(), site: 'hue', gateway: 'gw-1', camera: 'cam-1', fps: 1, health: { state: 'ok' } });
    assert.equal(outbox.stats().depth, 1);
    assert.equal(publisher.isConnected, false);
  } finally {
    await publisher.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
