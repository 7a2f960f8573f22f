import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floodGaugeScene, GAUGE_MARKS, renderRgb, type FloodGaugeOptions } from '@vigil/demo';
import { GaugeCalibration, WaterLevelEstimator, type ImageView, type WaterMask } from '../../src/analytics/flood/index.js';

const staff = new GaugeCalibration({ id: 'staff', marks: GAUGE_MARKS, width: 0.02 });

async function frameAt(depthCm: number, options: FloodGaugeOptions = {}, t = 3.3): Promise<ImageView> {
  const scene = floodGaugeScene({ ...options, startCm: depthCm, peakCm: depthCm });
  return { width: scene.width, height: scene.height, data: await renderRgb(scene, t), format: 'rgb24' };
}

test('calibration is piecewise linear between marks and extrapolates beyond them', () => {
  // a wall seen from above: the upper 50 cm take fewer pixels than the lower 50 cm
  const cal = new GaugeCalibration({ id: 'wall', width: 0.02, marks: [{ at: [0.5, 0.2], cm: 100 }, { at: [0.5, 0.9], cm: 0 }, { at: [0.5, 0.5], cm: 50 }] });
  const axis = cal.inPixels(100, 100);
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);
  near(axis.length, 70);
  near(axis.cmAt(40), 50);
  near(axis.cmAt(20), 25);
  near(axis.cmAt(55), 75);
  near(axis.cmAt(80), 100 + (10 / 30) * 50);
  near(axis.cmAt(-20), -25);
  near(axis.sAtCm(75), 55);
  near(axis.sAtCm(125), 85);
  const { p } = axis.pointAt(40);
  near(p[0], 50);
  near(p[1], 50);
});

test('calibration rejects marks that cannot define a scale, naming the fix', () => {
  assert.throws(() => new GaugeCalibration({ id: 'g', width: 0.02, marks: [{ at: [0.5, 0.2], cm: 10 }, { at: [0.5, 0.8], cm: 10 }] }), /same height/);
  assert.throws(() => new GaugeCalibration({ id: 'g', width: 0.02, marks: [{ at: [0.5, 0.2], cm: 0 }, { at: [0.5, 0.2], cm: 10 }] }), /same image point/);
});

const conditions: [string, FloodGaugeOptions][] = [
  ['day', {}],
  ['ripples and reflection', { ripples: 40, reflection: true }],
  ['rain and sensor noise', { rain: true, noise: 0.25 }],
  ['night, rain, noise and reflection', { night: true, rain: true, noise: 0.2, reflection: true, ripples: 30 }],
];
for (const [name, options] of conditions) {
  test(`image cue reads the depth within 3 cm on rendered scenes: ${name}`, async () => {
    const estimator = new WaterLevelEstimator(staff);
    for (const depth of [0, 6, 17, 33, 48, 64, 79, 91]) {
      const r = estimator.read(await frameAt(depth, options, 2 + depth / 10));
      assert.ok(r.visible, `${depth} cm: gauge not read (${!r.visible ? r.detail : ''})`);
      assert.ok(Math.abs(r.depthCm - depth) <= 3, `${depth} cm read as ${r.depthCm.toFixed(1)} cm`);
      assert.equal(r.source, 'image');
    }
  });
}

test('a rising flood clip is tracked frame by frame within 3 cm', async () => {
  const scene = floodGaugeScene({ seconds: 60, startCm: 2, peakCm: 70, rain: true, reflection: true });
  const estimator = new WaterLevelEstimator(staff);
  for (let t = 0; t <= 60; t += 7.5) {
    const r = estimator.read({ width: scene.width, height: scene.height, data: await renderRgb(scene, t), format: 'rgb24' });
    const truth = scene.truth(t).depthCm;
    assert.ok(r.visible && Math.abs(r.depthCm - truth) <= 3, `t=${t}: truth ${truth.toFixed(1)}, read ${r.visible ? r.depthCm.toFixed(1) : 'nothing'}`);
  }
});

function paint(image: ImageView, box: [number, number, number, number], rgb: [number, number, number]): ImageView {
  const data = Buffer.from(image.data);
  for (let y = Math.floor(box[1] * image.height); y < box[3] * image.height; y++) {
    for (let x = Math.floor(box[0] * image.width); x < box[2] * image.width; x++) data.set(rgb, (y * image.width + x) * 3);
  }
  return { ...image, data };
}

test('a gauge that cannot be seen is reported with a reason, not guessed', async () => {
  const estimator = new WaterLevelEstimator(staff);
  const frame = await frameAt(30);
  const dark = { ...frame, data: Buffer.from(frame.data.map((v) => v >> 5)) };
  const tooDark = estimator.read(dark);
  assert.equal(tooDark.visible, false);
  assert.equal(!tooDark.visible && tooDark.reason, 'too_dark');

  // a parked truck in front of the gauge: a uniform panel, no painted marks
  const occluded = estimator.read(paint(frame, [0.4, 0.15, 0.6, 0.9], [90, 110, 140]));
  assert.equal(occluded.visible, false);
  assert.ok(!occluded.visible && ['no_pattern', 'no_waterline', 'unstable'].includes(occluded.reason), JSON.stringify(occluded));

  // the water over the top of the gauge: the strip is water all along
  const submerged = estimator.read(paint(frame, [0.4, 0.1, 0.6, 1], [92, 86, 66]));
  assert.equal(submerged.visible, false);
});

function maskWithWaterBelow(y: number, w = 160, h = 90, p = 0.9): WaterMask {
  const data = new Float32Array(w * h);
  for (let row = 0; row < h; row++) for (let x = 0; x < w; x++) data[row * w + x] = (row + 0.5) / h >= y ? p : 1 - p;
  return { width: w, height: h, data };
}

test('mask path: the waterline from water probabilities gives the depth, at any mask size', () => {
  const estimator = new WaterLevelEstimator(staff);
  for (const depth of [0, 12, 35, 50, 87]) {
    const y = 0.82 - 0.6 * (depth / 100);
    for (const [w, h] of [[160, 90], [320, 180]] as const) {
      const r = estimator.read(undefined, maskWithWaterBelow(y, w, h));
      assert.ok(r.visible && r.source === 'mask', JSON.stringify(r));
      // one mask row is ~1.9 cm of this gauge at 90 rows
      assert.ok(Math.abs(r.depthCm - depth) <= 3, `${depth} cm at ${w}x${h}: read ${r.depthCm}`);
    }
  }
  const all = estimator.read(undefined, maskWithWaterBelow(0));
  assert.equal(all.visible, false);
  assert.equal(!all.visible && all.reason, 'submerged');
});

test('mask path with the frame: the frame vetoes a reading when the gauge is hidden', async () => {
  const estimator = new WaterLevelEstimator(staff);
  const frame = await frameAt(40);
  const mask = maskWithWaterBelow(0.82 - 0.6 * 0.4);
  const ok = estimator.read(frame, mask);
  assert.ok(ok.visible && Math.abs(ok.depthCm - 40) <= 3 && ok.source === 'mask', JSON.stringify(ok));
  const hidden = estimator.read(paint(frame, [0.4, 0.1, 0.6, 0.9], [90, 110, 140]), mask);
  assert.equal(hidden.visible, false);
});

test('mask path takes a binary mask (1 = water) as the models package Segmenter returns it', () => {
  const estimator = new WaterLevelEstimator(staff);
  const w = 200;
  const h = 120;
  const data = new Uint8Array(w * h);
  const y = 0.82 - 0.6 * 0.25; // 25 cm
  for (let row = 0; row < h; row++) if ((row + 0.5) / h >= y) data.fill(1, row * w, (row + 1) * w);
  const r = estimator.read(undefined, { width: w, height: h, data });
  assert.ok(r.visible && Math.abs(r.depthCm - 25) <= 3, JSON.stringify(r));
});

test('IR night frames (one grey channel) read within 3 cm', async () => {
  const estimator = new WaterLevelEstimator(staff);
  for (const depth of [8, 37, 71]) {
    const rgb = await frameAt(depth, { night: true, rain: true, noise: 0.2 });
    const grey = Buffer.alloc(rgb.width * rgb.height);
    for (let i = 0; i < grey.length; i++) grey[i] = Math.round(0.299 * rgb.data[i * 3]! + 0.587 * rgb.data[i * 3 + 1]! + 0.114 * rgb.data[i * 3 + 2]!);
    const r = estimator.read({ width: rgb.width, height: rgb.height, data: grey, format: 'gray' });
    assert.ok(r.visible && Math.abs(r.depthCm - depth) <= 3, `${depth} cm: ${JSON.stringify(r)}`);
  }
});

test('a water mask that disagrees with the frame (dry, marked gauge below its line) gives way to the image cue', async () => {
  const estimator = new WaterLevelEstimator(staff);
  const frame = await frameAt(10, { night: true });
  const wrong = maskWithWaterBelow(0.82 - 0.6 * 0.59); // the model says 59 cm
  const r = estimator.read(frame, wrong);
  assert.ok(r.visible && r.source === 'image' && Math.abs(r.depthCm - 10) <= 3, JSON.stringify(r));
  const all = estimator.read(frame, maskWithWaterBelow(0)); // the model says water everywhere
  assert.ok(all.visible && all.source === 'image' && Math.abs(all.depthCm - 10) <= 3, JSON.stringify(all));
});
