import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldFireScene, floodGaugeScene, GAUGE_TOP_Y, GAUGE_X, intersectionScene, phaseAt, renderRgb, SIGNAL_ROI } from '../src/index.js';

const pixel = (rgb: Buffer, w: number, x: number, y: number) => {
  const i = (Math.round(y) * w + Math.round(x)) * 3;
  return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!] as const;
};
const brightness = ([r, g, b]: readonly number[]) => (r! + g! + b!) / 3;

test('flood gauge: the rendered waterline on the gauge sits where the ground truth says', async () => {
  const scene = floodGaugeScene({ seconds: 100, startCm: 10, peakCm: 70 });
  for (const t of [0, 40, 90]) {
    const truth = scene.truth(t);
    const rgb = await renderRgb(scene, t);
    assert.equal(rgb.length, scene.width * scene.height * 3);
    // scan down the gauge column (beside the tick marks): bright board above the water, dark water below
    const x = GAUGE_X * scene.width + 0.012 * scene.width;
    let firstDark = -1;
    for (let y = Math.round(GAUGE_TOP_Y * scene.height) + 2; y < scene.height; y++) {
      const px = pixel(rgb, scene.width, x, y);
      // water is dark and brownish; the red tick marks are dark too but strongly red
      if (brightness(px) < 150 && Math.abs(px[0] - px[1]) < 40) {
        firstDark = y;
        break;
      }
    }
    const expected = truth.waterlineY * scene.height;
    assert.ok(Math.abs(firstDark - expected) <= 3, `t=${t}: water starts at row ${firstDark}, truth says ${expected.toFixed(1)}`);
  }
  assert.ok(scene.truth(90).depthCm > scene.truth(10).depthCm, 'the water rises');
});

test('intersection: the lit lamp in the signal ROI matches the phase', async () => {
  const scene = intersectionScene();
  const [x0, y0] = SIGNAL_ROI[0]!;
  const [x1, y1] = SIGNAL_ROI[2]!;
  for (const t of [5, 25, 36.5]) {
    const rgb = await renderRgb(scene, t);
    const lampAt = (i: number) => pixel(rgb, scene.width, ((x0 + x1) / 2) * scene.width, (y0 + ((y1 - y0) * (i + 0.5)) / 3) * scene.height);
    const lit = [0, 1, 2].map((i) => brightness(lampAt(i)) > 80);
    const expected = { red: [true, false, false], amber: [false, true, false], green: [false, false, true] }[phaseAt(t).phase];
    assert.deepEqual(lit, expected, `t=${t} phase ${phaseAt(t).phase}`);
  }
});

test('field fire: flames are bright and orange inside the truth box only while burning', async () => {
  const scene = fieldFireScene({ igniteAt: 5, burnSeconds: 20 });
  assert.equal(scene.truth(2).fire, false);
  const truth = scene.truth(15);
  assert.ok(truth.fire && truth.fireBox);
  const [a, b, c, d] = truth.fireBox!;
  const rgb = await renderRgb(scene, 15);
  const [r, g, bl] = pixel(rgb, scene.width, ((a + c) / 2) * scene.width, (b + (d - b) * 0.6) * scene.height);
  assert.ok(r > 200 && r > bl + 60 && g > bl, `flame pixel ${r},${g},${bl}`);
  const before = await renderRgb(scene, 2);
  const [r2, , b2] = pixel(before, scene.width, ((a + c) / 2) * scene.width, (b + (d - b) * 0.6) * scene.height);
  assert.ok(r2 < 200 || r2 - b2 < 60, 'no flame before ignition');
});
