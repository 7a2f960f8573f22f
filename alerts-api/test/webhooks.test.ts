import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { World, event } from './fixtures/world.js';
import { backoffDelay } from '../src/services/webhooks.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real local HTTP receiver that fails the first `failFirst` requests with 503. */
async function receiver(failFirst: number) {
  const got: Received[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls += 1;
      if (calls <= failFirst) {
        res.writeHead(503).end('busy');
        return;
      }
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, calls: () => calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('webhooks: HMAC-signed deliveries, retries with backoff, dead letters, manual retry', async (t) => {
  const w = await World.start({ webhooks: { maxAttempts: 3, backoffMs: 50, pollMs: 25, timeoutMs: 2000 } });
  t.after(() => w.close());
  const admin = await w.login('admin');
  const flaky = await receiver(2);
  const down = await receiver(1000);
  t.after(() => Promise.all([flaky.close(), down.close()]));

  const sub = (await w.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: { cookie: admin }, payload: { url: flaky.url, types: ['red_light'] } })).json();
  assert.match(sub.secret, /^whsec_/);
  const deadSub = (await w.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: { cookie: admin }, payload: { url: down.url } })).json();

  await w.ingest(event('forest_fire'));
  const red = event('red_light');
  await w.ingest(red);

  await until('the flaky receiver gets the red light after two failures', () => flaky.got.length === 1);
  assert.equal(flaky.calls(), 3);
  const r = flaky.got[0]!;
  const expected = 'sha256=' + createHmac('sha256', sub.secret).update(`${r.headers['x-vigil-timestamp']}.${r.body}`).digest('hex');
  assert.equal(r.headers['x-vigil-signature'], expected, 'signature verifies with the subscription secret');
  const payload = JSON.parse(r.body);
  assert.equal(payload.kind, 'alert.firing');
  assert.equal(payload.alert.type, 'red_light');
  assert.equal(r.headers['x-vigil-event'], 'alert.firing');
  // The receiver has the body before the dispatcher records the 2xx: wait for the record.
  let flakyDeliveries: { status: string; attempts: number }[] = [];
  await until('the delivery is recorded as delivered', async () => {
    flakyDeliveries = (await w.app.inject({ url: `/api/v1/webhooks/${sub.id}/deliveries`, headers: { cookie: admin } })).json();
    return flakyDeliveries[0]?.status === 'delivered';
  });
  assert.deepEqual(flakyDeliveries.map((d: { status: string; attempts: number }) => [d.status, d.attempts]), [['delivered', 3]], 'the forest fire was filtered out by type');

  await until('both alerts dead-lettered at the receiver that is down', async () => {
    const dead = (await w.app.inject({ url: `/api/v1/webhooks/${deadSub.id}/deliveries?status=dead`, headers: { cookie: admin } })).json();
    return dead.length === 2;
  });
  const dead = (await w.app.inject({ url: `/api/v1/webhooks/${deadSub.id}/deliveries?status=dead`, headers: { cookie: admin } })).json();
  assert.ok(dead.every((d: { attempts: number; last_error: string }) => d.attempts === 3 && /HTTP 503/.test(d.last_error)));
  const callsBefore = down.calls();
  assert.equal(callsBefore, 6, 'three attempts each, then no more');

  const retry = await w.app.inject({ method: 'POST', url: `/api/v1/webhooks/deliveries/${dead[0].id}/retry`, headers: { cookie: admin } });
  assert.equal(retry.statusCode, 202);
  await until('the retried dead letter is attempted again', () => down.calls() > callsBefore);
});

test('backoff doubles and is capped at an hour', () => {
  const s = { maxAttempts: 10, backoffMs: 1000, timeoutMs: 1, pollMs: 1 };
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(s, n)), [1000, 2000, 4000, 8000]);
  assert.equal(backoffDelay(s, 30), 3600_000);
});
