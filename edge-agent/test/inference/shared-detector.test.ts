import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { loadDetector, type OnnxDetector } from '@vigil/models';
import { SharedDetector, toRawFrame } from '../../src/inference/index.js';
import type { Frame } from '../../src/source/frame.js';

/**
 * The shared inference stage on the COCO detector that ships with npm install (centernet-coco,
 * converted on first use): frames of several cameras go through one run, a camera's older waiting
 * frame is dropped for its newer one, and batching does not change any answer.
 */
let detector: OnnxDetector;
const W = 320;
const H = 240;

async function scene(carX: number, grey = false): Promise<Frame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#8899aa"/>
    <rect y="150" width="${W}" height="90" fill="#444"/><rect x="${carX}" y="150" width="110" height="45" rx="8" fill="#b01010"/>
    <circle cx="${carX + 22}" cy="195" r="12" fill="#111"/><circle cx="${carX + 88}" cy="195" r="12" fill="#111"/></svg>`;
  let img = sharp(Buffer.from(svg)).removeAlpha();
  if (grey) img = img.greyscale();
  const data = await img.raw().toBuffer();
  return { camera: 'x', seq: 0, at: 0, ptsMs: 0, width: W, height: H, format: grey ? 'gray' : 'rgb24', data };
}

before(async () => {
  detector = await loadDetector('centernet-coco', { threads: 1 });
});
after(async () => {
  await detector.close();
});

test('with maxBatch 2, frames of two cameras arriving together share one run and get the answers they would get alone', async () => {
  const shared = new SharedDetector(detector, { maxBatch: 2 });
  const a = { ...(await scene(40)), camera: 'cam-a', seq: 7 };
  const b = { ...(await scene(170)), camera: 'cam-b', seq: 3 };
  const [ra, rb] = await Promise.all([shared.detect(a), shared.detect(b)]);
  assert.deepEqual(shared.stats(), { runs: 1, frames: 2, superseded: 0 });
  assert.equal(ra!.batchSize, 2);
  assert.deepEqual([ra!.camera, ra!.seq, rb!.camera, rb!.seq], ['cam-a', 7, 'cam-b', 3]);
  const [alone] = await detector.detect([toRawFrame(a)]);
  assert.equal(ra!.detections.length, alone!.length);
  ra!.detections.forEach((d, i) => {
    assert.equal(d.label, alone![i]!.label);
    assert.ok(Math.abs(d.score - alone![i]!.score) < 1e-4);
    d.box.forEach((v, k) => assert.ok(Math.abs(v - alone![i]!.box[k]!) < 1e-4));
  });
});

test('while a run is busy, a newer frame of the same camera replaces the waiting one (latest frame wins)', async () => {
  const shared = new SharedDetector(detector, { maxBatch: 2 });
  const base = await scene(60);
  const first = shared.detect({ ...base, camera: 'cam-a', seq: 1 });
  await new Promise((r) => setImmediate(r)); // the first run has started
  const older = shared.detect({ ...base, camera: 'cam-a', seq: 2 });
  const newer = shared.detect({ ...base, camera: 'cam-a', seq: 3 });
  const other = shared.detect({ ...base, camera: 'cam-b', seq: 1 });
  assert.equal((await first)!.seq, 1);
  assert.equal(await older, undefined);
  const [n, o] = await Promise.all([newer, other]);
  assert.equal(n!.seq, 3);
  assert.equal(n!.batchSize, 2);
  assert.equal(o!.camera, 'cam-b');
  assert.deepEqual(shared.stats(), { runs: 2, frames: 3, superseded: 1 });
});

test('grey frames (motion-only cameras) are accepted as three equal channels', async () => {
  const shared = new SharedDetector(detector, { minScore: 0.05 });
  const r = await shared.detect({ ...(await scene(100, true)), camera: 'cam-g' });
  assert.ok(Array.isArray(r!.detections));
  for (const d of r!.detections) assert.ok(d.box.every((v) => v >= 0 && v <= 1));
});

test('by default (maxBatch 1) cameras take turns, one frame per run, in arrival order', async () => {
  const shared = new SharedDetector(detector);
  const base = await scene(30);
  const order: string[] = [];
  await Promise.all(['cam-a', 'cam-b', 'cam-c'].map((camera) => shared.detect({ ...base, camera }).then((r) => { order.push(r!.camera); assert.equal(r!.batchSize, 1); })));
  assert.deepEqual(order, ['cam-a', 'cam-b', 'cam-c']);
  assert.deepEqual(shared.stats(), { runs: 3, frames: 3, superseded: 0 });
});
