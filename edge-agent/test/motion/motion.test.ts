import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameDifferenceMotionDetector, pointInPolygon, rasterizeMask, toGreyThumbnail } from '../../src/motion/index.js';
import { scene } from './synthetic.js';

const detector = (sensitivity = 0.5, masks: [number, number][][] = []) => new FrameDifferenceMotionDetector({ sensitivity, masks });

test('a still scene has no motion; the first frame only sets the background', () => {
  const d = detector();
  assert.equal(d.detect(scene()).detected, false);
  for (let i = 0; i < 5; i++) assert.equal(d.detect(scene()).detected, false);
});

test('a moving object gives one region around it, in normalised coordinates', () => {
  const d = detector();
  d.detect(scene());
  const r = d.detect(scene(160, 90, { squares: [{ x: 100, y: 30, size: 16 }] }));
  assert.equal(r.detected, true);
  assert.equal(r.regions.length, 1);
  const box = r.regions[0]!;
  // the square spans x 100..116 of 160, y 30..46 of 90; dilation may add one pixel around it
  assert.ok(Math.abs(box.x1 - 100 / 160) <= 1.5 / 160 && Math.abs(box.x2 - 116 / 160) <= 1.5 / 160, JSON.stringify(box));
  assert.ok(Math.abs(box.y1 - 30 / 90) <= 1.5 / 90 && Math.abs(box.y2 - 46 / 90) <= 1.5 / 90, JSON.stringify(box));
  assert.ok(r.changedRatio > 0 && r.changedRatio < 0.05);
});

test('two separate objects give two regions, largest first', () => {
  const d = detector();
  d.detect(scene());
  const r = d.detect(scene(160, 90, { squares: [{ x: 10, y: 10, size: 8 }, { x: 120, y: 50, size: 20 }] }));
  assert.equal(r.regions.length, 2);
  assert.ok(r.regions[0]!.x1 > 0.7, 'the 20-pixel square comes first');
});

test('motion inside a mask is ignored; outside it is not', () => {
  const mask: [number, number][] = [[0.5, 0], [1, 0], [1, 1], [0.5, 1]];
  const d = detector(0.5, [mask]);
  d.detect(scene());
  assert.equal(d.detect(scene(160, 90, { squares: [{ x: 100, y: 30, size: 16 }] })).detected, false);
  const d2 = detector(0.5, [mask]);
  d2.detect(scene());
  assert.equal(d2.detect(scene(160, 90, { squares: [{ x: 20, y: 30, size: 16 }] })).detected, true);
});

test('a global brightness change (exposure, clouds) is not motion', () => {
  const d = detector(1);
  d.detect(scene());
  const r = d.detect(scene(160, 90, { gain: 1.4 }));
  assert.equal(r.detected, false);
  // and motion is still seen right after, on the brighter scene
  d.detect(scene(160, 90, { gain: 1.4 }));
  assert.equal(d.detect(scene(160, 90, { gain: 1.4, squares: [{ x: 60, y: 40, size: 12, level: 10 }] })).detected, true);
});

test('a sudden change over most of the picture (lights switched on) is flagged as lighting and resets', () => {
  const d = detector();
  d.detect(scene());
  const lit = scene(160, 90, { squares: [{ x: 0, y: 0, size: 160, level: 250 }] });
  const r = d.detect(lit);
  assert.equal(r.detected, false);
  assert.equal(r.lightingChange, true);
  assert.equal(d.detect(lit).detected, false, 'the new picture is the background now');
});

test('sensitivity: a small object is seen at high sensitivity only', () => {
  const small = scene(160, 90, { squares: [{ x: 50, y: 50, size: 4, level: 120 }] });
  const low = detector(0);
  low.detect(scene());
  assert.equal(low.detect(small).detected, false);
  const high = detector(1);
  high.detect(scene());
  assert.equal(high.detect(small).detected, true);
});

test('polygon masks rasterise by pixel centre', () => {
  const tri: [number, number][] = [[0, 0], [1, 0], [0, 1]];
  assert.equal(pointInPolygon(0.2, 0.2, tri), true);
  assert.equal(pointInPolygon(0.8, 0.8, tri), false);
  const m = rasterizeMask([tri], 10, 10);
  assert.equal(m[0], 1);
  assert.equal(m[99], 0);
  const share = m.reduce((a, b) => a + b, 0) / 100;
  assert.ok(share > 0.4 && share < 0.6, `about half the pixels, got ${share}`);
});

test('grey thumbnail: box average of rgb24 with luma weights, aspect kept', () => {
  const width = 640;
  const height = 360;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 3;
    if (x < 320) data[i] = 255; // left half red
    else data.fill(255, i, i + 3); // right half white
  }
  const g = toGreyThumbnail({ width, height, format: 'rgb24', data }, 160);
  assert.equal(g.width, 160);
  assert.equal(g.height, 90);
  assert.equal(g.data[0], 77); // 77 * 255 / 256 = 76.7
  assert.equal(g.data[159], 255);
  const grey = toGreyThumbnail({ width: 8, height: 4, format: 'gray', data: Buffer.from(Array.from({ length: 32 }, (_, i) => (i % 8 < 4 ? 0 : 100))) }, 4);
  assert.deepEqual([...grey.data], [0, 0, 100, 100, 0, 0, 100, 100]);
});
