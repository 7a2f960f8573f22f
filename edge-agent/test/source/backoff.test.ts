import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@vigil/observe';
import { LatestMailbox, ReconnectBackoff, StallWatchdog } from '../../src/source/index.js';

test('backoff doubles up to the cap, never below half the step (jitter)', () => {
  const top = new ReconnectBackoff({ initialMs: 500, maxMs: 8000, random: () => 0 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => top.next()), [500, 1000, 2000, 4000, 8000, 8000]);
  const bottom = new ReconnectBackoff({ initialMs: 500, maxMs: 8000, random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => bottom.next()), [250, 500, 1000, 2000, 4000, 4000]);
});

test('jittered delays spread out and never form a tight loop', () => {
  const b = new ReconnectBackoff({ initialMs: 1000, maxMs: 1000 });
  const delays = Array.from({ length: 200 }, () => b.next());
  assert.ok(Math.min(...delays) >= 500);
  assert.ok(Math.max(...delays) <= 1000);
  assert.ok(new Set(delays).size > 20, 'delays differ between attempts');
});

test('only a run that streamed long enough resets the failure history', () => {
  const b = new ReconnectBackoff({ initialMs: 100, healthyAfterMs: 30_000, random: () => 0 });
  b.next();
  b.next();
  b.runEnded(2_000); // connected, then died quickly: keep backing off
  assert.equal(b.next(), 400);
  b.runEnded(45_000);
  assert.equal(b.next(), 100);
});

test('stall watchdog fires once after the limit without frames, not while fed', () => {
  const clock = new ManualClock(0);
  let stalls = 0;
  const w = new StallWatchdog(clock, 20_000, () => stalls++);
  w.feed();
  for (let i = 0; i < 10; i++) {
    clock.advance(5_000);
    w.feed();
  }
  assert.equal(stalls, 0);
  clock.advance(19_999);
  assert.equal(stalls, 0);
  clock.advance(1);
  assert.equal(stalls, 1);
  clock.advance(60_000);
  assert.equal(stalls, 1, 'fires once until fed again');
  w.feed();
  w.stop();
  clock.advance(60_000);
  assert.equal(stalls, 1, 'a stopped watchdog stays quiet');
});

test('mailbox: the newest item wins and each replaced one is reported as dropped', async () => {
  const dropped: number[] = [];
  const box = new LatestMailbox<number>((d) => dropped.push(d));
  assert.equal(box.put(1), true);
  assert.equal(box.put(2), false);
  assert.equal(box.put(3), false);
  assert.equal(await box.take(), 3);
  assert.deepEqual(dropped, [1, 2]);
  const waiting = box.take();
  box.put(4);
  assert.equal(await waiting, 4, 'a waiting reader gets the item directly');
  assert.equal(box.full, false);
});

test('mailbox: space() lets an every-frame producer wait for the reader', async () => {
  const box = new LatestMailbox<number>();
  box.put(1);
  let released = false;
  const space = box.space().then(() => (released = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(released, false);
  await box.take();
  await space;
  assert.equal(released, true);
});
