import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeOnnxModel } from '../src/convert/onnx-proto.js';
import { loadModel, type Segmenter } from '../src/index.js';
import { expectLoadError, frameWith, tinyDetectorOnnx, writeTinyModel } from './tiny-models.js';

/**
 * A head on a shared backbone (model.json "backbone"): the runtime runs the backbone model's graph on
 * the image, hands the named output to the head's graph and decodes the head's outputs. Here the
 * backbone is the tiny brightness detector (its "heatmap" output is the 4x4 average brightness) and the
 * head thresholds that feature map into a mask, so the answer is known exactly.
 */
const root = mkdtempSync(join(tmpdir(), 'vigil-chain-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Head: mask logit = 20 * (feature - 0.5) per cell. */
function tinyHeadOnnx(inputName = 'features'): Uint8Array {
  return encodeOnnxModel({
    name: 'tiny-head', producer: 'vigil-test', doc: '', opset: 13,
    inputs: [{ name: inputName, dims: ['N', 1, 4, 4] }],
    outputs: [{ name: 'mask', dims: ['N', 1, 4, 4] }],
    initializers: [{ name: 'w', dims: [1, 1, 1, 1], data: Float32Array.from([20]) }, { name: 'b', dims: [1], data: Float32Array.from([-10]) }],
    nodes: [{ op: 'Conv', name: 'mask', inputs: [inputName, 'w', 'b'], outputs: ['mask'], attrs: { kernel_shape: [1, 1] } }],
  });
}

writeTinyModel(root, 'backbone', tinyDetectorOnnx());

function writeHead(name: string, link: { model?: string; features?: Record<string, string> }, o: { headInput?: string; width?: number } = {}): void {
  const dir = writeTinyModel(root, name, tinyHeadOnnx(o.headInput), { task: 'segment', width: o.width });
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  manifest['backbone'] = { model: link.model ?? 'backbone', features: link.features ?? { features: 'heatmap' } };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
}

const rejectsWith = (name: string, code: string, pattern: RegExp): Promise<void> => expectLoadError(root, name, code, pattern);

test('a head on a backbone segments through both graphs: the bright quarter is the mask', async () => {
  writeHead('head', {});
  const model = (await loadModel('head', { modelsDir: root })) as Segmenter;
  try {
    const px = frameWith(16, [{ x: 8, y: 8, w: 8, h: 8, level: 255 }]);
    const [seg] = await model.segment([{ data: px, width: 16, height: 16, channels: 3 }]);
    assert.equal(seg!.coverage, 0.25);
    assert.deepEqual([seg!.width, seg!.height], [4, 4]);
    assert.deepEqual(Array.from(seg!.mask), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    const [dark] = await model.segment([{ data: frameWith(16, []), width: 16, height: 16, channels: 3 }]);
    assert.equal(dark!.coverage, 0);
  } finally {
    await model.close();
  }
});

test('a backbone output the backbone graph does not have names the outputs it has and the field to fix', async () => {
  writeHead('bad-output', { features: { features: 'mb3_s8' } });
  await rejectsWith('bad-output', 'VIGIL_ERR_MODEL_INPUT', /outputs heatmap, sizes, not "mb3_s8".*Fix backbone\.features/s);
});

test('a head input the head graph does not have names the inputs it has and the field to fix', async () => {
  writeHead('bad-input', {}, { headInput: 'feats' });
  await rejectsWith('bad-input', 'VIGIL_ERR_MODEL_INPUT', /inputs are feats, not "features".*Fix backbone\.features/s);
});

test('a head input that no backbone output feeds is named', async () => {
  writeHead('unfed', { features: {} });
  await rejectsWith('unfed', 'VIGIL_ERR_MODEL_INPUT', /inputs features get no backbone output/s);
});

test('an image input that differs from the backbone\'s is refused: the head was trained on the backbone\'s input', async () => {
  writeHead('bad-size', {}, { width: 32 });
  await rejectsWith('bad-size', 'VIGIL_ERR_MODEL_MANIFEST', /input width differ.*copy the backbone's input block/s);
});

test('a missing backbone model is named, with the models that exist', async () => {
  writeHead('no-backbone', { model: 'centernet-missing' });
  await rejectsWith('no-backbone', 'VIGIL_ERR_MODEL_NOT_FOUND', /No model "centernet-missing".*Known models: .*backbone/s);
});
