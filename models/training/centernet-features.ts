/**
 * Backbone features of the npm-shipped MB3-CenterNet (MobileNetV3, COCO-pretrained) for every image of
 * the fire/smoke and water sets, for the "heads on a pretrained backbone" comparison
 * (models/training/backbone_heads.py). The TF.js graph is converted with Vigil's own converter, cut at
 * the stride-16 block (expanded_conv_11, 112 channels), with the input resized from 512 to SIZE.
 *
 *   npx tsx models/training/centernet-features.ts [outDir=/tmp/vigil-training]
 *
 * Writes <set>.f32 (float32 [N,112,SIZE/16,SIZE/16], NCHW) and <set>.json (file order) per set.
 * Input is what human feeds the model: RGB stretched, raw 0-255.
 */
import { writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { convertTfjsGraph, dataDir, humanCenternetJsonPath, readTfjsGraph } from '../src/index.js';

const SIZE = 256;
const FEATURE = 'tower_0/MobilenetV3/expanded_conv_11/add';
const outDir = process.argv[2] ?? '/tmp/vigil-training';

const graph = await readTfjsGraph(humanCenternetJsonPath());
const placeholder = graph.nodes.find((n) => n.op === 'Placeholder')!;
placeholder.attr!['shape'] = { shape: { dim: [{ size: '1' }, { size: String(SIZE) }, { size: String(SIZE) }, { size: '3' }] } };
const { onnx } = convertTfjsGraph(graph, { input: { tf: placeholder.name, onnx: 'images', layout: 'NHWC' }, outputs: [{ tf: FEATURE, onnx: 'features' }] });
const session = await ort.InferenceSession.create(Buffer.from(onnx), { intraOpNumThreads: 1 });

const sets: Record<string, string[]> = {
  'fire-smoke': ['train', 'valid', 'test'].flatMap((s) => readdirSync(join(dataDir(), 'fire-smoke/cctv-fire8', s, 'images')).sort().map((f) => `${s}/images/${f}`)),
  water: readdirSync(join(dataDir(), 'flood/water-seg/images')).sort().map((f) => `images/${f}`),
};
const roots: Record<string, string> = { 'fire-smoke': join(dataDir(), 'fire-smoke/cctv-fire8'), water: join(dataDir(), 'flood/water-seg') };

mkdirSync(outDir, { recursive: true });
for (const [set, files] of Object.entries(sets)) {
  const t0 = performance.now();
  const chunks: Float32Array[] = [];
  let shape: readonly number[] = [];
  for (const file of files) {
    const { data } = await sharp(join(roots[set]!, file)).removeAlpha().resize(SIZE, SIZE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    const input = new ort.Tensor('float32', Float32Array.from(data), [1, SIZE, SIZE, 3]);
    const out = (await session.run({ images: input }))['features']!;
    shape = out.dims;
    chunks.push(Float32Array.from(out.data as Float32Array));
  }
  const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  writeFileSync(join(outDir, `${set}.f32`), Buffer.from(all.buffer));
  writeFileSync(join(outDir, `${set}.json`), JSON.stringify({ files, shape: [files.length, ...shape.slice(1)], size: SIZE, feature: FEATURE }));
  console.log(JSON.stringify({ set, images: files.length, shape, msPerImage: +((performance.now() - t0) / files.length).toFixed(1) }));
}
await session.release();
