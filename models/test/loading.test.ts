import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { MODELS_DIR, loadModel, sha256File } from '../src/index.js';
import { expectLoadError, tinyDetectorOnnx, writeTinyModel } from './tiny-models.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-models-'));
after(() => rmSync(root, { recursive: true, force: true }));

function makeModel(name: string, onnx: Uint8Array, overrides: { sha256?: string; width?: number; height?: number } = {}): void {
  writeTinyModel(root, name, onnx, overrides);
}

const rejectsWith = (name: string, code: string, pattern: RegExp): Promise<void> => expectLoadError(root, name, code, pattern);

test('a good tiny model loads and detects the bright quadrant of a frame, boxes normalised', async () => {
  makeModel('good', tinyDetectorOnnx());
  const model = await loadModel('good', { modelsDir: root });
  assert.equal(model.task, 'detect');
  if (model.task !== 'detect') return;
  // 32x32 frame, white in the bottom-right 16x16 quarter -> heatmap peak cells there.
  const px = new Uint8Array(32 * 32 * 3);
  for (let y = 16; y < 32; y++) for (let x = 16; x < 32; x++) px.fill(255, (y * 32 + x) * 3, (y * 32 + x) * 3 + 3);
  const png = await sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
  const [fromRaw, fromPng] = await model.detect([{ data: px, width: 32, height: 32, channels: 3 }, png]);
  for (const dets of [fromRaw!, fromPng!]) {
    assert.ok(dets.length >= 1);
    for (const d of dets) {
      assert.equal(d.label, 'bright');
      assert.ok(d.box[0] >= 0.4 && d.box[2] <= 1, `box ${d.box.join(',')}`);
    }
  }
  await model.close();
});

test('wrong sha256 names the file, both hashes and the fix', async () => {
  makeModel('wrong-sha', tinyDetectorOnnx(), { sha256: '0'.repeat(64) });
  await rejectsWith('wrong-sha', 'VIGIL_ERR_MODEL_CHECKSUM', /tiny\.onnx has sha256 [0-9a-f]{64} but model\.json expects 0{64}.*update file\.sha256/s);
});

test('a corrupt .onnx (sha256 matching the damaged bytes) is reported as damaged, not as a crash', async () => {
  const bytes = tinyDetectorOnnx().slice(0, 200);
  makeModel('corrupt', bytes);
  await rejectsWith('corrupt', 'VIGIL_ERR_MODEL_CORRUPT', /cannot load .*tiny\.onnx.*damaged or not ONNX/s);
});

test('an input size that disagrees with the graph names both shapes', async () => {
  makeModel('wrong-size', tinyDetectorOnnx(), { width: 320, height: 320 });
  await rejectsWith('wrong-size', 'VIGIL_ERR_MODEL_INPUT', /\[N,3,16,16\].*320x320x3/);
});

test('an unknown model and an invalid manifest are clear errors', async () => {
  await rejectsWith('missing', 'VIGIL_ERR_MODEL_NOT_FOUND', /No model "missing".*Known models/s);
  mkdirSync(join(root, 'bad-manifest'), { recursive: true });
  writeFileSync(join(root, 'bad-manifest', 'model.json'), JSON.stringify({ name: 'bad-manifest', task: 'detect', colour: 'RGB' }));
  await rejectsWith('bad-manifest', 'VIGIL_ERR_MODEL_MANIFEST', /bad-manifest\/model\.json is not a valid model manifest/);
});

test('centernet-coco on a fresh checkout: the ONNX file is generated on first load from the npm package and verifies', async () => {
  const dir = join(root, 'centernet-coco');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), readFileSync(join(MODELS_DIR, 'centernet-coco', 'model.json')));
  const generated = join(dir, '.generated', 'centernet-coco.onnx');
  assert.equal(existsSync(generated), false);
  const model = await loadModel('centernet-coco', { modelsDir: root });
  assert.equal(existsSync(generated), true);
  assert.equal(await sha256File(generated), model.manifest.file.sha256);
  await model.close();
});
