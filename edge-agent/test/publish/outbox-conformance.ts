/**
 * The outbox conformance suite (MQTT.js's store suite habit): every Outbox implementation runs it.
 * Usage: outboxConformance('SqliteOutbox', { open: (dir, o) => new SqliteOutbox({ path: join(dir, 'outbox.db'), ...o }) }).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { ULID_PATTERN } from '@vigil/contracts';
import { ManualClock, type Clock } from '@vigil/observe';
import type { Outbox, OutboxInput, OutboxKind } from '../../src/publish/index.js';

export interface OutboxFactory {
  /** Opens the outbox kept at `location` (a fresh directory per test). Opening it again is a restart. */
  open(location: string, options: { maxBytes?: number; clock?: Clock }): Outbox;
  /**
   * For outboxes that claim to survive a process crash: a script that opens the outbox at argv[2],
   * commits events in a loop and prints `committed <seq> <id>` after each commit returns. The suite
   * kill -9s it mid-burst and checks every printed commit is still there.
   */
  crashWriter?: string;
}

const text = (s: string) => new TextEncoder().encode(s);

function input(kind: OutboxKind, camera: string, body: string, extra: Partial<OutboxInput> = {}): OutboxInput {
  return { kind, camera, topic: `vigil/v1/hue/gw-1/${camera}/${kind}`, payload: text(body), ...extra };
}

const bodies = (rows: { payload: Uint8Array }[]) => rows.map((r) => Buffer.from(r.payload).toString());

export function outboxConformance(name: string, factory: OutboxFactory): void {
  describe(`Outbox conformance: ${name}`, () => {
    const withLocation = async (fn: (location: string) => Promise<void> | void) => {
      const location = mkdtempSync(join(tmpdir(), 'vigil-outbox-'));
      try {
        await fn(location);
      } finally {
        rmSync(location, { recursive: true, force: true });
      }
    };

    test('stamps: seq rises by one per kind from 1, ids are unique ULIDs, the payload builder sees both', () =>
      withLocation((loc) => {
        const box = factory.open(loc, {});
        try {
          const seen: { seq: number; id: string }[] = [];
          const rows = [1, 2, 3].map((n) =>
            box.enqueue(input('event', 'cam-a', '', { payload: (s) => (seen.push(s), text(`e${n}:${s.seq}:${s.id}`)) })),
          );
          const t = box.enqueue(input('telemetry', 'cam-a', 't1'));
          assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3]);
          assert.equal(t.seq, 1, 'each kind has its own sequence, so event seq has no gaps from telemetry');
          assert.deepEqual(seen, rows.map((r) => ({ seq: r.seq, id: r.id })));
          for (const r of rows) assert.match(r.id, new RegExp(ULID_PATTERN));
          assert.equal(new Set([...rows, t].map((r) => r.id)).size, 4);
          assert.deepEqual(bodies(box.peek(10)).slice(0, 3), rows.map((r) => `e${[1, 2, 3][r.seq - 1]}:${r.seq}:${r.id}`));
        } finally {
          box.close();
        }
      }));

    test('peek does not remove; ack removes exactly the acked message, once', () =>
      withLocation((loc) => {
        const box = factory.open(loc, {});
        try {
          const [a, b, c] = ['a', 'b', 'c'].map((s) => box.enqueue(input('event', 'cam-a', s)));
          assert.deepEqual(bodies(box.peek(10)), ['a', 'b', 'c']);
          assert.deepEqual(bodies(box.peek(10)), ['a', 'b', 'c'], 'peek twice returns the same messages');
          assert.equal(box.ack(b!.key), true);
          assert.equal(box.ack(b!.key), false, 'a second ack of the same message is a no-op');
          assert.deepEqual(bodies(box.peek(10)), ['a', 'c']);
          assert.equal(box.stats().depth, 2);
          box.ack(a!.key);
          box.ack(c!.key);
          assert.deepEqual(box.peek(10), []);
          assert.equal(box.stats().depth, 0);
          assert.equal(box.stats().bytes, 0);
        } finally {
          box.close();
        }
      }));

    test('crash safety: closed without ack, reopened -> every message is still there, and seq keeps rising', () =>
      withLocation((loc) => {
        let box = factory.open(loc, {});
        const file = { path: '/var/lib/vigil/evidence/x.jpg', offset: 131072, length: 4096 };
        const sent = [
          box.enqueue(input('event', 'cam-a', 'e1')),
          box.enqueue(input('evidence', 'cam-a', '', { file, properties: { sha256: 'ab'.repeat(32), index: '1' }, contentType: 'image/jpeg' })),
          box.enqueue(input('telemetry', 'cam-b', 't1')),
          box.enqueue(input('event', 'cam-b', 'e2')),
        ];
        box.ack(sent[3]!.key); // the last event was delivered: its seq must never be reused
        box.close();
        box = factory.open(loc, {});
        try {
          const back = box.peek(10);
          assert.deepEqual(
            back.map((m) => ({ key: m.key, seq: m.seq, id: m.id, kind: m.kind, camera: m.camera, topic: m.topic, body: Buffer.from(m.payload).toString() })),
            sent.slice(0, 3).map((m) => ({ key: m.key, seq: m.seq, id: m.id, kind: m.kind, camera: m.camera, topic: m.topic, body: Buffer.from(m.payload).toString() })),
          );
          assert.deepEqual(back[1]!.file, file);
          assert.deepEqual(box.referencedFiles(), new Set([file.path]), 'evidence retention must keep this file');
          box.ack(back[1]!.key);
          assert.deepEqual(box.referencedFiles(), new Set(), 'delivered: the file is free to go');
          assert.deepEqual(back[1]!.properties, { sha256: 'ab'.repeat(32), index: '1' });
          assert.equal(back[1]!.contentType, 'image/jpeg');
          assert.equal(box.stats().depth, 2);
          assert.equal(box.stats().bytes, [sent[0]!, sent[2]!].reduce((n, m) => n + m.bytes, 0));
          const next = box.enqueue(input('event', 'cam-a', 'e3'));
          assert.equal(next.seq, 3, 'event seq continues after a restart even when the last event was acked');
          assert.ok(next.key > sent[3]!.key, 'keys are never reused');
        } finally {
          box.close();
        }
      }));

    test('ordering: per camera, messages leave in commit order; in-flight ones are skipped', () =>
      withLocation((loc) => {
        const box = factory.open(loc, {});
        try {
          const cams = ['cam-a', 'cam-b', 'cam-c'];
          for (let i = 0; i < 60; i++) box.enqueue(input('event', cams[(i * 7) % 3]!, `${cams[(i * 7) % 3]}:${i}`));
          const all = box.peek(1000);
          assert.equal(all.length, 60);
          for (const cam of cams) {
            const mine = all.filter((m) => m.camera === cam).map((m) => Number(Buffer.from(m.payload).toString().split(':')[1]));
            assert.deepEqual(mine, [...mine].sort((x, y) => x - y), `${cam} must leave in commit order`);
          }
          const first = box.peek(5);
          const after = box.peek(5, new Set(first.map((m) => m.key)));
          assert.deepEqual(after.map((m) => m.key), all.slice(5, 10).map((m) => m.key));
        } finally {
          box.close();
        }
      }));

    test('priorities: events first, then evidence, then telemetry, each in commit order', () =>
      withLocation((loc) => {
        const box = factory.open(loc, {});
        try {
          box.enqueue(input('telemetry', 'cam-a', 't1'));
          box.enqueue(input('evidence', 'cam-a', 'v1'));
          box.enqueue(input('event', 'cam-a', 'e1'));
          box.enqueue(input('telemetry', 'cam-b', 't2'));
          box.enqueue(input('event', 'cam-b', 'e2'));
          box.enqueue(input('evidence', 'cam-b', 'v2'));
          assert.deepEqual(bodies(box.peek(10)), ['e1', 'e2', 'v1', 'v2', 't1', 't2']);
          assert.deepEqual(bodies(box.peek(3)), ['e1', 'e2', 'v1']);
          box.enqueue(input('event', 'cam-a', 'e3'));
          assert.deepEqual(bodies(box.peek(4)), ['e1', 'e2', 'e3', 'v1'], 'a new event overtakes waiting telemetry');
        } finally {
          box.close();
        }
      }));

    test('size bound: over it, the oldest telemetry is dropped first; events and evidence never are', () =>
      withLocation((loc) => {
        const body = 'x'.repeat(1000);
        const probe = factory.open(join(loc, 'probe'), {});
        const rowSize = probe.enqueue(input('telemetry', 'cam-a', body)).bytes;
        probe.close();
        const maxBytes = rowSize * 10;
        const box = factory.open(loc, { maxBytes });
        try {
          for (let i = 0; i < 8; i++) box.enqueue(input('telemetry', 'cam-a', body));
          for (let i = 0; i < 4; i++) box.enqueue(input('event', 'cam-a', body));
          let s = box.stats();
          assert.equal(s.maxBytes, maxBytes);
          assert.ok(s.bytes <= maxBytes, `bytes ${s.bytes} must be within the bound ${maxBytes}`);
          assert.equal(s.depthByKind.event, 4);
          assert.equal(s.depthByKind.telemetry, 6);
          assert.equal(s.droppedTelemetry, 2);
          const telemetrySeqs = box.peek(100).filter((m) => m.kind === 'telemetry').map((m) => m.seq);
          assert.deepEqual(telemetrySeqs, [3, 4, 5, 6, 7, 8], 'the oldest telemetry went first');
          for (let i = 0; i < 12; i++) box.enqueue(input('event', 'cam-b', body));
          box.enqueue(input('evidence', 'cam-b', body));
          s = box.stats();
          assert.equal(s.depthByKind.telemetry, 0, 'all telemetry is dropped before any event');
          assert.equal(s.depthByKind.event, 16, 'events are kept even over the bound');
          assert.equal(s.depthByKind.evidence, 1);
          assert.ok(s.bytes > maxBytes, 'over the bound with events only: reported, not hidden');
        } finally {
          box.close();
        }
      }));

    test('enqueueAll is atomic: a failing payload commits nothing and consumes no seq', () =>
      withLocation((loc) => {
        const box = factory.open(loc, {});
        try {
          assert.throws(() =>
            box.enqueueAll([
              input('evidence', 'cam-a', 'chunk0'),
              input('evidence', 'cam-a', '', {
                payload: () => {
                  throw new Error('contract violation');
                },
              }),
            ]),
          /contract violation/);
          assert.equal(box.stats().depth, 0);
          assert.equal(box.stats().bytes, 0);
          assert.equal(box.enqueue(input('evidence', 'cam-a', 'chunk0')).seq, 1);
        } finally {
          box.close();
        }
      }));

    test('stats: depth by kind and the age of the oldest waiting message', () =>
      withLocation((loc) => {
        const clock = new ManualClock(Date.parse('2026-11-22T03:00:00Z'));
        const box = factory.open(loc, { clock });
        try {
          assert.equal(box.stats().oldestAgeSeconds, 0);
          const first = box.enqueue(input('telemetry', 'cam-a', 't'));
          clock.advance(30_000);
          box.enqueue(input('event', 'cam-a', 'e'));
          clock.advance(15_000);
          let s = box.stats();
          assert.equal(s.depth, 2);
          assert.deepEqual(s.depthByKind, { event: 1, evidence: 0, telemetry: 1 });
          assert.equal(s.oldestAgeSeconds, 45);
          box.ack(first.key);
          s = box.stats();
          assert.equal(s.oldestAgeSeconds, 15);
        } finally {
          box.close();
        }
      }));

    if (factory.crashWriter) {
      const script = factory.crashWriter;
      test('crash safety: kill -9 of a writer mid-burst loses no commit it reported', () =>
        withLocation(async (loc) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, loc], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          const committed: { seq: number; id: string }[] = [];
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          const lines = createInterface({ input: child.stdout });
          await new Promise<void>((resolve, reject) => {
            lines.on('line', (line) => {
              const m = /^committed (\d+) (\S+)$/.exec(line);
              if (m) committed.push({ seq: Number(m[1]), id: m[2]! });
              if (committed.length === 300) {
                child.kill('SIGKILL');
                resolve();
              }
            });
            child.once('exit', () => reject(new Error(`crash writer exited before 300 commits: ${stderr}`)));
          });
          await exited;
          const box = factory.open(loc, {});
          try {
            const kept = new Map(box.peek(1_000_000).map((m) => [m.seq, m.id]));
            for (const c of committed) assert.equal(kept.get(c.seq), c.id, `commit seq ${c.seq} was reported, then lost`);
            const maxSeq = Math.max(...kept.keys());
            assert.deepEqual([...kept.keys()].sort((a, b) => a - b), Array.from({ length: maxSeq }, (_, i) => i + 1), 'no holes in what survived');
            assert.equal(box.enqueue(input('event', 'cam-a', 'after')).seq, maxSeq + 1);
          } finally {
            box.close();
          }
        }));
    }
  });
}
