import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { VigilError } from '@vigil/contracts';
import { evaluateModel, loadModel } from '../src/index.js';
import { frameWith, tinyClassifierOnnx, tinyDetectorOnnx, tinySegmenterOnnx, writeTinyModel } from './tiny-models.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function png(path: string, px: Uint8Array, size: number, channels: 1 | 3 = 3): Promise<void> {
  await sharp(px, { raw: { width: size, height: size, channels } }).png().toFile(path);
}

test('models eval (detection) on a hand-made YOLO set: known mAP and P/R/F1, written into the card and model.json', async () => {
  const modelDir = writeTinyModel(root, 'tiny-det', tinyDetectorOnnx(16, [0, 0, 4, 4]), { score: 0.3 });
  writeFileSync(join(modelDir, 'MODEL_CARD.md'), '# tiny-det\n\nHand-written text stays.\n');
  const data = join(root, 'set', 'test');
  mkdirSync(join(data, 'images'), { recursive: true });
  mkdirSync(join(data, 'labels'), { recursive: true });
  writeFileSync(join(root, 'set', 'data.yaml'), 'names: [Bright, Other]\n');
  // a: found exactly (TP, score 1). b: dim block (score 0.6) away from its truth: FP + FN.
  // c: nothing, no truth. An "Other" truth is not a model label and is left out.
  await png(join(data, 'images', 'a.png'), frameWith(16, [{ x: 8, y: 8, w: 4, h: 4, level: 255 }]), 16);
  writeFileSync(join(data, 'labels', 'a.txt'), '0 0.625 0.625 0.25 0.25\n1 0.1 0.1 0.1 0.1\n');
  await png(join(data, 'images', 'b.png'), frameWith(16, [{ x: 0, y: 0, w: 4, h: 4, level: 153 }]), 16);
  writeFileSync(join(data, 'labels', 'b.txt'), '0 0.875 0.875 0.25 0.25\n');
  await png(join(data, 'images', 'c.png'), frameWith(16, []), 16);
  const r = await evaluateModel('tiny-det', data, { modelsDir: root });
  assert.equal(r.images, 3);
  // Ranked: TP (1.0), FP (0.6); 2 truths -> AP = 0.5 (recall 0.5 at precision 1, never more).
  assert.equal(r.metrics['mAP50'], 0.5);
  assert.equal(r.metrics['precision'], 0.5);
  assert.equal(r.metrics['recall'], 0.5);
  assert.equal(r.metrics['f1'], 0.5);
  const card = readFileSync(join(modelDir, 'MODEL_CARD.md'), 'utf8');
  assert.match(card, /Hand-written text stays/);
  assert.match(card, /<!-- eval:vigil-eval-\w+\/set\/test -->[\s\S]*not scored\): Other[\s\S]*mAP@0\.5: \*\*0\.500\*\*[\s\S]*<!-- \/eval:/);
  const manifest = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
  assert.equal(Object.values(manifest.metrics)[0]!['mAP50'], 0.5);
  // Running again replaces the section instead of adding another.
  await evaluateModel('tiny-det', data, { modelsDir: root });
  assert.equal(readFileSync(join(modelDir, 'MODEL_CARD.md'), 'utf8').match(/<!-- eval:/g)!.length, 1);
});

test('models eval (segmentation): pixel IoU/F1 against masks', async () => {
  writeTinyModel(root, 'tiny-seg', tinySegmenterOnnx(16), { task: 'segment' });
  const data = join(root, 'water');
  mkdirSync(join(data, 'images'), { recursive: true });
  mkdirSync(join(data, 'masks'), { recursive: true });
  // Bright left half predicted; truth is the left 12 columns: IoU 8/12, F1 2*8/(8+12).
  await png(join(data, 'images', 'x.png'), frameWith(16, [{ x: 0, y: 0, w: 8, h: 16, level: 255 }]), 16);
  const truth = new Uint8Array(16 * 16);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 12; x++) truth[y * 16 + x] = 255;
  await png(join(data, 'masks', 'x.png'), truth, 16, 1);
  const r = await evaluateModel('tiny-seg', data, { modelsDir: root, write: false });
  assert.ok(Math.abs(r.metrics['iou']! - 8 / 12) < 1e-9, String(r.metrics['iou']));
  assert.ok(Math.abs(r.metrics['f1']! - 16 / 20) < 1e-9, String(r.metrics['f1']));
});

test('models eval refuses a detection set none of whose classes the model knows, instead of writing zeros', async () => {
  writeTinyModel(root, 'tiny-det-2', tinyDetectorOnnx(16));
  const data = join(root, 'fire', 'test');
  mkdirSync(join(data, 'images'), { recursive: true });
  mkdirSync(join(data, 'labels'), { recursive: true });
  writeFileSync(join(root, 'fire', 'data.yaml'), 'names: [Fire, smoke]\n');
  await png(join(data, 'images', 'a.png'), frameWith(16, []), 16);
  await assert.rejects(evaluateModel('tiny-det-2', data, { modelsDir: root }), (err: unknown) => {
    assert.ok(err instanceof VigilError);
    assert.equal(err.code, 'VIGIL_ERR_MODEL_EVAL_DATA');
    assert.match(err.message, /Fire, smoke.*nothing to score/);
    return true;
  });
});

test('classifier: softmax probabilities per label, and models eval gives per-class P/R/F1 and the confusion matrix', async () => {
  writeTinyModel(root, 'tiny-cls', tinyClassifierOnnx(), { task: 'classify' });
  const model = await loadModel('tiny-cls', { modelsDir: root });
  assert.equal(model.task, 'classify');
  if (model.task !== 'classify') return;
  const solid = (rgb: [number, number, number]): Buffer => Buffer.from(new Uint8Array(8 * 8 * 3).map((_, i) => rgb[i % 3]!));
  const [red] = await model.classify([{ data: solid([255, 0, 0]), width: 8, height: 8, channels: 3 }]);
  assert.equal(red!.top.label, 'red');
  assert.ok(Math.abs(red!.probabilities['red']! - Math.E / (Math.E + 2)) < 1e-6);
  await model.close();

  const data = join(root, 'colours');
  const put = async (label: string, file: string, rgb: [number, number, number]): Promise<void> => {
    mkdirSync(join(data, label), { recursive: true });
    await sharp(solid(rgb), { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(join(data, label, file));
  };
  await put('red', 'r1.png', [255, 0, 0]);
  await put('red', 'r2.png', [255, 0, 0]);
  await put('green', 'g1.png', [0, 255, 0]);
  await put('green', 'g2-looks-red.png', [255, 0, 0]);
  await put('blue', 'b1.png', [0, 0, 255]);
  const r = await evaluateModel('tiny-cls', data, { modelsDir: root, write: false });
  assert.equal(r.images, 5);
  assert.equal(r.metrics['accuracy'], 4 / 5);
  assert.equal(r.metrics['red.precision'], 2 / 3);
  assert.equal(r.metrics['green.recall'], 1 / 2);
  assert.equal(r.metrics['blue.f1'], 1);
  assert.match(r.markdown, /red\s+2\s+0\s+0\ngreen\s+1\s+1\s+0\nblue\s+0\s+0\s+1/);
});
