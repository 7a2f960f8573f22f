import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../src/clock.js';

test('ManualClock fires timers in due order and only when advanced past them', () => {
  const clock = new ManualClock(1000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b'), 200);
  clock.setTimeout(() => fired.push('a'), 100);
  const c = clock.setTimeout(() => fired.push('cancelled'), 150);
  c.cancel();
  clock.advance(99);
  assert.deepEqual(fired, []);
  clock.advance(150);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.now(), 1249);
});

test('ManualClock runs timers scheduled by timers within the same advance', () => {
  const clock = new ManualClock();
  const at: number[] = [];
  clock.setTimeout(() => {
    at.push(clock.now());
    clock.setTimeout(() => at.push(clock.now()), 10);
  }, 10);
  clock.advance(25);
  assert.deepEqual(at, [10, 20]);
});
