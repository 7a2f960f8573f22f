import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { MODELS_DIR, dataDir } from '../src/registry.js';

/**
 * CI does not train. This proves each training script still runs end to end (data reading, splits,
 * augmentation, one epoch, evaluation, ONNX export) on a handful of images, and that what it exports
 * loads in onnxruntime-node with the outputs the manifest names.
 */
const PYTHON = '/usr/bin/python3';
const TRAINING = join(MODELS_DIR, 'training');

function torchSkip(): false | string {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return 'python3-torch is not installed (apt-get install python3-torch python3-torchvision; run with /usr/bin/python3); skipping the training smoke test.';
  }
  return false;
}

function dataSkip(rel: string): false | string {
  return existsSync(join(dataDir(), rel)) ? false : `${rel} not found under ${dataDir()} (set VIGIL_DATA_DIR to the shared data folder); skipping.`;
}

const skipTorch = torchSkip();
const work = mkdtempSync(join(tmpdir(), 'vigil-training-'));
after(() => rmSync(work, { recursive: true, force: true }));

function train(script: string, out: string, extra: string[] = []): Record<string, unknown> {
  const run = spawnSync(PYTHON, [join(TRAINING, script), '--epochs', '1', '--limit', '6', '--threads', '1',
    '--out', out, '--checkpoint', join(out, 'checkpoint.pt'), ...extra], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(run.status, 0, `${script} failed:\n${run.stderr.slice(-3000)}`);
  return JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown>;
}

async function runOnnx(path: string, size: number): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  try {
    const input = new Float32Array(2 * 3 * size * size).fill(0.5);
    return await session.run({ images: new ort.Tensor('float32', input, [2, 3, size, size]) });
  } finally {
    await session.release();
  }
}

test('fire_smoke.py trains one tiny epoch, splits by source video and exports a two-output ONNX', {
  skip: skipTorch || dataSkip('fire-smoke/cctv-fire8'),
}, async () => {
  const out = join(work, 'fire-smoke');
  const metrics = train('fire_smoke.py', out, ['--no-video']);
  const test = metrics['test'] as { images: number; frame_any: { f1: number }; mAP50: number };
  assert.equal(test.images, 6);
  assert.ok(test.frame_any.f1 >= 0 && test.frame_any.f1 <= 1);
  assert.ok(test.mAP50 >= 0 && test.mAP50 <= 1);

  const splits = JSON.parse(readFileSync(join(out, 'splits.json'), 'utf8')) as { sources: Record<string, string[]> };
  const seen = new Map<string, string>();
  for (const [split, sources] of Object.entries(splits.sources)) {
    for (const s of sources) {
      assert.equal(seen.get(s), undefined, `source ${s} is in both ${seen.get(s)} and ${split}`);
      seen.set(s, split);
    }
  }
  assert.ok(seen.size > 10, 'every source video is assigned to a split');

  const outputs = await runOnnx(join(out, 'fire-smoke.onnx'), 224);
  assert.deepEqual(outputs['heatmap']!.dims, [2, 2, 14, 14]);
  assert.deepEqual(outputs['sizes']!.dims, [2, 4, 14, 14]);
  const heat = outputs['heatmap']!.data as Float32Array;
  assert.ok(heat.every((v) => v >= 0 && v <= 1), 'heatmap holds probabilities');
});

test('water.py trains one tiny epoch and exports a full-resolution logit mask', {
  skip: skipTorch || dataSkip('flood/water-seg'),
}, async () => {
  const out = join(work, 'water');
  const metrics = train('water.py', out);
  const test = metrics['test'] as { images: number; iou: number; f1: number };
  assert.equal(test.images, 6);
  assert.ok(test.iou >= 0 && test.iou <= 1 && test.f1 >= test.iou - 1e-9, 'F1 is never below IoU');

  const splits = JSON.parse(readFileSync(join(out, 'splits.json'), 'utf8')) as { files: Record<string, string[]> };
  const all = Object.values(splits.files).flat();
  assert.equal(new Set(all).size, all.length, 'no image is in two splits');

  const outputs = await runOnnx(join(out, 'water.onnx'), 160);
  assert.deepEqual(outputs['logits']!.dims, [2, 1, 160, 160]);
});

test('water_head.py writes augmented frames, runs the generated backbone over them, trains one tiny epoch and exports a head that fits the backbone', {
  skip: skipTorch || dataSkip('flood/water-seg'),
}, async () => {
  const out = join(work, 'water-head');
  const run = spawnSync(PYTHON, [join(TRAINING, 'water_head.py'), '--epochs', '1', '--limit', '3', '--copies', '2', '--threads', '1',
    '--out', out, '--work', join(out, 'work')], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(run.status, 0, `water_head.py failed:\n${run.stderr.slice(-3000)}`);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
    test: { images: number; iou: number; f1: number }; backbone: { features: Record<string, string> }; negatives: { count: number; copies: number };
  };
  assert.equal(metrics.test.images, 3);
  assert.ok(metrics.test.iou >= 0 && metrics.test.iou <= 1 && metrics.test.f1 >= metrics.test.iou - 1e-9);
  // 3 flood photos x 2 copies and the dry negatives (2 per photo on --limit) x 2 copies went through the
  // backbone, one feature file per head input.
  assert.equal(metrics.negatives.count, 6);
  for (const output of Object.values(metrics.backbone.features)) {
    const meta = JSON.parse(readFileSync(join(out, 'work', `train.${output}.json`), 'utf8')) as { shape: number[] };
    assert.equal(meta.shape[0], 3 * 2 + metrics.negatives.count * metrics.negatives.copies);
  }
  // The head takes exactly the features the shipped manifest wires to it, at the backbone's shapes.
  const manifest = JSON.parse(readFileSync(join(MODELS_DIR, 'water', 'model.json'), 'utf8')) as { backbone: { features: Record<string, string> } };
  assert.deepEqual(metrics.backbone.features, manifest.backbone.features);
  const session = await ort.InferenceSession.create(join(out, 'water-head.onnx'), { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [input, output] of Object.entries(manifest.backbone.features)) {
      const { shape } = JSON.parse(readFileSync(join(out, 'work', `test.${output}.json`), 'utf8')) as { shape: number[] };
      const dims = [2, ...shape.slice(1)];
      feeds[input] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims);
    }
    const outputs = await session.run(feeds);
    assert.deepEqual(outputs['logits']!.dims, [2, 1, 128, 128]);
  } finally {
    await session.release();
  }
});
