import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { InputWriter, loadDetector, toSourceBox, type InputSpec } from '../src/index.js';
import { frameWith, tinyDetectorOnnx, writeTinyModel } from './tiny-models.js';

const close = (a: number, b: number, eps = 1e-5): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);
const spec = (o: Partial<InputSpec>): InputSpec => ({ name: 'x', layout: 'NCHW', width: 8, height: 8, colour: 'RGB', mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', batch: 'dynamic', ...o });

test('letterbox (centre): image scaled into the middle rows, pad value normalised, boxes map back to the source', async () => {
  const w = new InputWriter(spec({ resize: 'letterbox', letterboxAlign: 'center', pad: 114, mean: [100, 100, 100], std: [2, 2, 2] }));
  // 16x8 white source -> 8x4 inside the 8x8 input, rows 2..5.
  const p = await w.write({ data: new Uint8Array(16 * 8 * 3).fill(255), width: 16, height: 8, channels: 3 }, 0, 1);
  assert.deepEqual([p.offsetX, p.offsetY, p.scaleX, p.scaleY], [0, 2, 0.5, 0.5]);
  const v = w.view(1);
  close(v[0]!, (114 - 100) / 2); // pad row
  close(v[2 * 8 + 3]!, (255 - 100) / 2); // image row
  close(v[64 + 7 * 8]!, (114 - 100) / 2); // channel 1, last row: pad
  assert.deepEqual(toSourceBox([0, 2, 8, 6], p), [0, 0, 1, 1]);
  assert.deepEqual(toSourceBox([2, 3, 4, 5], p), [0.25, 0.25, 0.5, 0.75]);
});

test('letterbox (top-left) keeps the image at the origin; BGR order takes the blue channel first', async () => {
  const w = new InputWriter(spec({ resize: 'letterbox', letterboxAlign: 'top-left', pad: 0, colour: 'BGR' }));
  const red = new Uint8Array(8 * 16 * 3);
  for (let i = 0; i < 8 * 16; i++) red[i * 3] = 200;
  const p = await w.write({ data: red, width: 8, height: 16, channels: 3 }, 0, 1);
  assert.deepEqual([p.offsetX, p.offsetY], [0, 0]);
  const v = w.view(1);
  close(v[0]!, 0); // B
  close(v[128]!, 200); // R is the model's third channel
  close(v[128 + 7]!, 0); // right of the 4-pixel-wide image: pad
});

test('a reused batch slot gets its pad border back after a full-size frame overwrote it', async () => {
  const w = new InputWriter(spec({ resize: 'letterbox', letterboxAlign: 'center', pad: 7 }));
  const wide = { data: new Uint8Array(16 * 8 * 3).fill(200), width: 16, height: 8, channels: 3 as const };
  await w.write(wide, 0, 1);
  await w.write({ data: new Uint8Array(8 * 8 * 3).fill(50), width: 8, height: 8, channels: 3 as const }, 0, 1);
  close(w.view(1)[0]!, 50);
  await w.write(wide, 0, 1);
  close(w.view(1)[0]!, 7);
  close(w.view(1)[2 * 8]!, 200);
});

test('NHWC with identity normalisation copies pixels as they are; batch positions do not overlap', async () => {
  const w = new InputWriter(spec({ layout: 'NHWC', width: 2, height: 2 }));
  const a = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const b = a.map((x) => x + 100);
  await w.write({ data: a, width: 2, height: 2, channels: 3 }, 0, 2);
  await w.write({ data: b, width: 2, height: 2, channels: 3 }, 1, 2);
  assert.deepEqual([...w.view(2)], [...a, ...b]);
});

const root = mkdtempSync(join(tmpdir(), 'vigil-runtime-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('detector: one peak gives one normalised box; several frames in one run give the same answers as one by one', async () => {
  writeTinyModel(root, 'tiny', tinyDetectorOnnx(16, [0, 0, 4, 4]));
  const det = await loadDetector('tiny', { modelsDir: root });
  const a = { data: frameWith(16, [{ x: 8, y: 8, w: 4, h: 4, level: 255 }]), width: 16, height: 16, channels: 3 as const };
  const b = { data: frameWith(16, [{ x: 0, y: 4, w: 4, h: 4, level: 200 }]), width: 16, height: 16, channels: 3 as const };
  const empty = { data: frameWith(16, []), width: 16, height: 16, channels: 3 as const };
  const together = await det.detect([a, b, empty]);
  const alone = [...(await det.detect([a])), ...(await det.detect([b])), ...(await det.detect([empty]))];
  assert.deepEqual(together, alone);
  assert.equal(together[0]!.length, 1);
  assert.deepEqual(together[0]![0]!.box, [0.5, 0.5, 0.75, 0.75]);
  close(together[0]![0]!.score, 1);
  assert.deepEqual(together[1]![0]!.box, [0, 0.25, 0.25, 0.5]);
  close(together[1]![0]!.score, 200 / 255);
  assert.deepEqual(together[2], []);
  // The same frame as an encoded PNG file at twice the size: same normalised box.
  const png = await sharp(frameWith(32, [{ x: 16, y: 16, w: 8, h: 8, level: 255 }]), { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
  const [fromPng] = await det.detect([png]);
  assert.deepEqual(fromPng![0]!.box, [0.5, 0.5, 0.75, 0.75]);
  await det.close();
});

test('overlapping detect() calls (two cameras, no shared stage) do not mix frames in the reused input buffer', async () => {
  writeTinyModel(root, 'tiny-overlap', tinyDetectorOnnx(16, [0, 0, 4, 4]));
  const det = await loadDetector('tiny-overlap', { modelsDir: root });
  const frames = [0, 4, 8, 12].map((x) => ({ data: frameWith(16, [{ x, y: 4, w: 4, h: 4, level: 255 }]), width: 16, height: 16, channels: 3 as const }));
  const overlapping = await Promise.all(frames.map((f) => det.detect([f])));
  assert.deepEqual(overlapping.map(([d]) => d![0]!.box[0]), [0, 0.25, 0.5, 0.75]);
  await det.close();
});

test('photos with an EXIF rotation are analysed as shown: boxes relative to the upright picture', async () => {
  writeTinyModel(root, 'tiny-exif', tinyDetectorOnnx(16, [0, 0, 4, 4]));
  const det = await loadDetector('tiny-exif', { modelsDir: root });
  // Stored pixels: bright block at the top-right; orientation 6 (rotate 90 clockwise to display) puts it bottom-right.
  const stored = await sharp(frameWith(16, [{ x: 12, y: 0, w: 4, h: 4, level: 255 }]), { raw: { width: 16, height: 16, channels: 3 } })
    .jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
  const [found] = await det.detect([stored]);
  assert.equal(found!.length, 1);
  assert.deepEqual(found![0]!.box, [0.75, 0.75, 1, 1]);
  await det.close();
});
