import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { VigilError } from '@vigil/contracts';
import { encodeOnnxModel } from '../src/convert/onnx-proto.js';
import { loadModel } from '../src/index.js';

/**
 * A real (tiny) ONNX detector built with our own encoder: input [N,3,16,16] -> 1x1 conv -> a
 * "heatmap" of 1 class at stride 4 (AveragePool 4x4) and constant "sizes". Enough to exercise
 * manifest checks, sha256, input-shape checks and the whole detect() path without shared data.
 */
function tinyCenternetOnnx(size = 16): Uint8Array {
  return encodeOnnxModel({
    name: 'tiny', producer: 'vigil-test', doc: '', opset: 13,
    inputs: [{ name: 'images', dims: ['N', 3, size, size] }],
    outputs: [{ name: 'heatmap', dims: ['N', 1, size / 4, size / 4] }, { name: 'sizes', dims: ['N', 4, size / 4, size / 4] }],
    initializers: [
      { name: 'w', dims: [1, 3, 1, 1], data: Float32Array.from([1 / 765, 1 / 765, 1 / 765]) },
      { name: 'w4', dims: [4, 3, 1, 1], data: new Float32Array(12) },
      { name: 'b4', dims: [4], data: Float32Array.from([2, 2, 2, 2]) },
    ],
    nodes: [
      { op: 'Conv', name: 'grey', inputs: ['images', 'w'], outputs: ['grey'], attrs: { kernel_shape: [1, 1] } },
      { op: 'AveragePool', name: 'heatmap', inputs: ['grey'], outputs: ['heatmap'], attrs: { kernel_shape: [4, 4], strides: [4, 4] } },
      { op: 'Conv', name: 'c4', inputs: ['images', 'w4', 'b4'], outputs: ['c4'], attrs: { kernel_shape: [1, 1] } },
      { op: 'AveragePool', name: 'sizes', inputs: ['c4'], outputs: ['sizes'], attrs: { kernel_shape: [4, 4], strides: [4, 4] } },
    ],
  });
}

const root = mkdtempSync(join(tmpdir(), 'vigil-models-'));
after(() => rmSync(root, { recursive: true, force: true }));

function makeModel(name: string, onnx: Uint8Array, overrides: { sha256?: string; width?: number; height?: number } = {}): void {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tiny.onnx'), onnx);
  const manifest = {
    name, version: '0', task: 'detect', description: 'test model',
    file: { path: 'tiny.onnx', sha256: overrides.sha256 ?? createHash('sha256').update(onnx).digest('hex') },
    input: { name: 'images', layout: 'NCHW', width: overrides.width ?? 16, height: overrides.height ?? 16, colour: 'RGB', mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', batch: 'dynamic' },
    decoder: { type: 'centernet', heatmap: 'heatmap', sizes: 'sizes', stride: 4, topK: 10 },
    labels: ['bright'], thresholds: { score: 0.5, iou: 0.5 },
    licence: { spdx: 'Apache-2.0' }, source: { url: 'test' },
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
}

async function rejectsWith(name: string, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadModel(name, { modelsDir: root }), (err: unknown) => {
    assert.ok(err instanceof VigilError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

test('a good tiny model loads and detects the bright quadrant of a frame, boxes normalised', async () => {
  makeModel('good', tinyCenternetOnnx());
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
  makeModel('wrong-sha', tinyCenternetOnnx(), { sha256: '0'.repeat(64) });
  await rejectsWith('wrong-sha', 'VIGIL_ERR_MODEL_CHECKSUM', /tiny\.onnx has sha256 [0-9a-f]{64} but model\.json expects 0{64}.*update file\.sha256/s);
});

test('a corrupt .onnx (sha256 matching the damaged bytes) is reported as damaged, not as a crash', async () => {
  const bytes = tinyCenternetOnnx().slice(0, 200);
  makeModel('corrupt', bytes);
  await rejectsWith('corrupt', 'VIGIL_ERR_MODEL_CORRUPT', /cannot load .*tiny\.onnx.*damaged or not ONNX/s);
});

test('an input size that disagrees with the graph names both shapes', async () => {
  makeModel('wrong-size', tinyCenternetOnnx(), { width: 320, height: 320 });
  await rejectsWith('wrong-size', 'VIGIL_ERR_MODEL_INPUT', /\[N,3,16,16\].*320x320x3/);
});

test('an unknown model and an invalid manifest are clear errors', async () => {
  await rejectsWith('missing', 'VIGIL_ERR_MODEL_NOT_FOUND', /No model "missing".*Known models/s);
  mkdirSync(join(root, 'bad-manifest'), { recursive: true });
  writeFileSync(join(root, 'bad-manifest', 'model.json'), JSON.stringify({ name: 'bad-manifest', task: 'detect', colour: 'RGB' }));
  await rejectsWith('bad-manifest', 'VIGIL_ERR_MODEL_MANIFEST', /bad-manifest\/model\.json is not a valid model manifest/);
});
