import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnalyticScheduler, type Analytic } from '../../src/pipeline/index.js';
import type { MotionResult } from '../../src/motion/index.js';

const still: MotionResult = { detected: false, regions: [], changedRatio: 0, lightingChange: false };
const moving: MotionResult = { ...still, detected: true };
const analytic = (gate: Analytic['gate']): Analytic => ({ name: 'x', gate, analyse: () => [] });
const frameAt = (at: number) => ({ frame: { at } as never });

test('motion-gated analytics run only on frames with motion', () => {
  const s = new AnalyticScheduler();
  const a = analytic({ kind: 'motion' });
  assert.equal(s.shouldRun(a, { ...frameAt(0), motion: still }), false);
  assert.equal(s.shouldRun(a, { ...frameAt(200), motion: moving }), true);
});

test('periodic analytics (flood, fire) also sample without motion, every everyMs', () => {
  const s = new AnalyticScheduler();
  const a = analytic({ kind: 'periodic', everyMs: 10_000 });
  const runs = [];
  for (let at = 0; at <= 30_000; at += 200) if (s.shouldRun(a, { ...frameAt(at), motion: still })) runs.push(at);
  assert.deepEqual(runs, [0, 10_000, 20_000, 30_000]);
  assert.equal(s.shouldRun(a, { ...frameAt(30_200), motion: moving }), true, 'and on motion');
});

test('every-frame analytics always run', () => {
  const s = new AnalyticScheduler();
  const a = analytic({ kind: 'every-frame' });
  assert.equal(s.shouldRun(a, { ...frameAt(0), motion: still }), true);
  assert.equal(s.shouldRun(a, { ...frameAt(1), motion: still }), true);
});
