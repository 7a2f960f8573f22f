import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ffmpegSkip } from '@vigil/testkit';
import { MODELS_DIR, dataDir, ensureVerifiedFile, loadModel, readModelEntry, type Detector, type Segmenter } from '../src/index.js';

/**
 * The models Vigil trains and ships (fire-smoke, water, water-lite): the manifest
 * is valid and matches the file, the file is small, onnxruntime-node reproduces PyTorch's outputs on
 * the deterministic input the training script recorded (parity.json), and the runtime's own
 * preprocessing (sharp, stretch) gives the answer training gave on a real test image. `water` is a
 * head on the generated CenterNet backbone, so its real-image check runs backbone and head together.
 */

/** models/training/common.py parity_input(size), rebuilt exactly. */
function parityInput(size: number): Float32Array {
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    out[(c * size + y) * size + x] = ((x * 7 + y * 13 + c * 29) % 256) / 255;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, stepA = 1): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i * stepA]! - b[i]!));
  return worst;
}

async function runParity(name: string, size: number): Promise<ort.InferenceSession.OnnxValueMapType> {
  const entry = await readModelEntry(name);
  const session = await ort.InferenceSession.create(entry.onnxPath, { intraOpNumThreads: 1 });
  try {
    return await session.run({ images: new ort.Tensor('float32', parityInput(size), [1, 3, size, size]) });
  } finally {
    await session.release();
  }
}

function parity(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(MODELS_DIR, name, 'parity.json'), 'utf8')) as Record<string, unknown>;
}

for (const name of ['fire-smoke', 'water', 'water-lite']) {
  test(`${name}: manifest is valid, sha256 matches and the file is under 10 MB`, async () => {
    const entry = await readModelEntry(name);
    const { bytes } = await ensureVerifiedFile(entry);
    assert.ok(bytes < 10 * 1024 * 1024, `${name}.onnx is ${bytes} bytes`);
    assert.ok(existsSync(join(entry.dir, 'MODEL_CARD.md')), 'model card present');
  });
}

test('fire-smoke: onnxruntime-node matches PyTorch on the recorded parity input', async () => {
  const ref = parity('fire-smoke') as { heatmap: number[]; sizes: number[] };
  const out = await runParity('fire-smoke', 224);
  assert.deepEqual(out['heatmap']!.dims, [1, 2, 14, 14]);
  assert.ok(maxAbsDiff(out['heatmap']!.data as Float32Array, ref.heatmap) < 1e-3);
  assert.ok(maxAbsDiff(out['sizes']!.data as Float32Array, ref.sizes) < 0.05, 'box extents within 0.05 px');
});

test('water-lite: onnxruntime-node matches PyTorch on the recorded parity input', async () => {
  const ref = parity('water-lite') as { logits_every_97th: number[] };
  const out = await runParity('water-lite', 160);
  assert.deepEqual(out['logits']!.dims, [1, 1, 160, 160]);
  assert.ok(maxAbsDiff(out['logits']!.data as Float32Array, ref.logits_every_97th, 97) < 2e-3);
});

for (const name of ['fire-smoke']) {
  const fireRef = parity(name) as { image: { file: string; max_score: [number, number] } };
  test(`${name}: the runtime finds on a real test frame what training found`, {
    skip: existsSync(join(dataDir(), fireRef.image.file)) ? false : `${fireRef.image.file} not under ${dataDir()} (set VIGIL_DATA_DIR); skipping.`,
  }, async () => {
    const model = (await loadModel(name)) as Detector;
    try {
      const [detections] = await model.detect([join(dataDir(), fireRef.image.file)]);
      const threshold = model.manifest.thresholds.score;
      // Resize kernels differ (PIL bilinear vs sharp), so only classes far from the threshold are compared.
      ['fire', 'smoke'].forEach((label, c) => {
        const score = fireRef.image.max_score[c]!;
        const found = detections!.some((d) => d.label === label);
        if (score > threshold + 0.15) assert.ok(found, `${label} (training score ${score}) not found`);
        if (score < threshold - 0.15) assert.ok(!found, `${label} (training score ${score}) found`);
      });
      for (const d of detections!) assert.ok(d.box[0] < d.box[2] && d.box[1] < d.box[3] && d.box.every((v) => v >= -0.01 && v <= 1.01));
    } finally {
      await model.close();
    }
  });
}

/** The deterministic feature maps models/training/backbone_data.py parity_features() feeds a head. */
function parityFeatures(features: Record<string, { shape: number[] }>): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(features).map(([name, { shape }]) => {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 37) % 101) / 50 - 1);
    return [name, new ort.Tensor('float32', data, shape)];
  }));
}

const liteRef = parity('water-lite') as { image: { file: string; coverage: number } };
test('water-lite: the runtime measures the water coverage training measured on a real test photo', {
  skip: existsSync(join(dataDir(), liteRef.image.file)) ? false : `${liteRef.image.file} not under ${dataDir()} (set VIGIL_DATA_DIR); skipping.`,
}, async () => {
  const model = (await loadModel('water-lite')) as Segmenter;
  try {
    const [seg] = await model.segment([join(dataDir(), liteRef.image.file)]);
    assert.ok(Math.abs(seg!.coverage - liteRef.image.coverage) < 0.05, `coverage ${seg!.coverage} vs training ${liteRef.image.coverage}`);
  } finally {
    await model.close();
  }
});

test('water head: onnxruntime-node matches PyTorch on the recorded feature maps', async () => {
  const ref = parity('water') as { logits_every_997th: number[]; features: Record<string, { shape: number[] }> };
  const entry = await readModelEntry('water');
  const session = await ort.InferenceSession.create(entry.onnxPath, { intraOpNumThreads: 1 });
  try {
    const feeds = parityFeatures(ref.features);
    assert.deepEqual(Object.keys(feeds).sort(), Object.keys(entry.manifest.backbone!.features).sort(), 'parity covers every head input');
    const out = await session.run(feeds);
    assert.deepEqual(out['logits']!.dims, [1, 1, 128, 128]);
    assert.ok(maxAbsDiff(out['logits']!.data as Float32Array, ref.logits_every_997th, 997) < 2e-3);
  } finally {
    await session.release();
  }
});

const waterRef = parity('water') as { image: { file: string; coverage: number } };
test('water: backbone + head in the runtime measure the water coverage training measured on a real test photo', {
  skip: existsSync(join(dataDir(), waterRef.image.file)) ? false : `${waterRef.image.file} not under ${dataDir()} (set VIGIL_DATA_DIR); skipping.`,
}, async () => {
  const model = (await loadModel('water')) as Segmenter;
  try {
    const [seg] = await model.segment([join(dataDir(), waterRef.image.file)]);
    assert.ok(Math.abs(seg!.coverage - waterRef.image.coverage) < 0.05, `coverage ${seg!.coverage} vs training ${waterRef.image.coverage}`);
  } finally {
    await model.close();
  }
});

// Every flood photo has water in it; a model trained on them alone took dry grey asphalt for water (half
// of this street). A dry street from a camera and city the model never saw must stay dry.
const hanoiClip = join(dataDir(), 'traffic', 'videos', 'hanoi-ly-thuong-kiet-hang-bai.mp4');
test('water: a dry city street from a camera it never trained on (Hanoi clip) is not taken for water', {
  skip: ffmpegSkip() || (existsSync(hanoiClip) ? false : `${hanoiClip} not found (set VIGIL_DATA_DIR); skipping.`),
}, async () => {
  const [width, height] = [640, 480];
  const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', hanoiClip, '-vf', `fps=0.2,scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 }).stdout;
  const frameBytes = width * height * 3;
  assert.ok(raw.length >= 5 * frameBytes && raw.length % frameBytes === 0, `ffmpeg gave ${raw.length} bytes`);
  const model = (await loadModel('water')) as Segmenter;
  try {
    const coverage: number[] = [];
    for (let at = 0; at < raw.length; at += frameBytes) {
      const [seg] = await model.segment([{ data: raw.subarray(at, at + frameBytes), width, height, channels: 3 }]);
      coverage.push(seg!.coverage);
    }
    const mean = coverage.reduce((a, b) => a + b, 0) / coverage.length;
    assert.ok(mean < 0.15, `mean water coverage ${mean.toFixed(3)} over ${coverage.length} dry frames (${coverage.map((c) => c.toFixed(2)).join(' ')})`);
  } finally {
    await model.close();
  }
});
