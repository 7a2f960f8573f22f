/**
 * ms per frame of Vigil's own models in onnxruntime-node at 1 and 2 threads: the bare session.run on
 * a ready tensor, and the full runtime path (sharp decode + resize + infer + decode) on a real frame.
 *
 *   npx tsx models/training/time-onnx.ts [runs] [model...]
 *
 * Prints one JSON line per model and thread count. Numbers for the model cards; not a test.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { dataDir, loadModel, type Detector, type Segmenter } from '../src/index.js';

const runs = Number(process.argv[2] ?? 30);
/** A real frame per model: a cctv-fire8 test image (608x608) and a flood photo. */
function sampleFrame(name: string): string {
  if (name.startsWith('water')) return join(dataDir(), 'flood', 'water-seg', 'images', '1.jpg');
  const dir = join(dataDir(), 'fire-smoke', 'cctv-fire8', 'test', 'images');
  return join(dir, readdirSync(dir).sort()[0]!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeBare(name: string, threads: number): Promise<number> {
  // The model's own session: for a head on a backbone (water) that is backbone + head, as on the edge.
  const model = await loadModel(name, { threads });
  const { width, height, name: input, layout } = model.manifest.input;
  const dims = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
  const feed = { [input]: new ort.Tensor('float32', new Float32Array(3 * width * height).fill(0.4), dims) };
  const d = model.manifest.decoder;
  const fetches = 'output' in d ? [d.output] : d.type === 'centernet' ? [d.heatmap, d.sizes] : [];
  for (let i = 0; i < 3; i++) await model.session.run(feed, fetches);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await model.session.run(feed, fetches);
    times.push(performance.now() - t0);
  }
  await model.close();
  return median(times);
}

async function timeFull(name: string, threads: number): Promise<number> {
  const model = await loadModel(name, { threads });
  const path = sampleFrame(name);
  const run = async (): Promise<unknown> => (model.task === 'detect' ? (model as Detector).detect([path]) : (model as Segmenter).segment([path]));
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  await model.close();
  return median(times);
}

for (const name of process.argv.slice(3).length ? process.argv.slice(3) : ['fire-smoke', 'water', 'water-lite']) {
  for (const threads of [1, 2]) {
    const bare = await timeBare(name, threads);
    const full = await timeFull(name, threads);
    console.log(JSON.stringify({ model: name, threads, runs, bareMs: +bare.toFixed(2), fullPathMs: +full.toFixed(2), loadAverage1m: +loadavg()[0]!.toFixed(2) }));
  }
}
