/**
 * Features of the npm-shipped MB3-CenterNet for training Vigil's heads on its frozen backbone
 * (models/training/water_head.py calls this; nothing here runs on the edge).
 *
 *   npx tsx models/training/backbone-features.ts <images.u8> <count> <out-prefix> <output[,output...]>
 *
 * images.u8 holds `count` frames of 512x512x3 RGB bytes, already stretched to the detector's input
 * (what the edge feeds centernet-coco). The session is the very ONNX file the runtime generates and
 * verifies for models/centernet-coco, so training sees exactly the features the edge computes.
 * Writes <out-prefix>.<output>.f32 per output (float32 NCHW, one frame after another) and
 * <out-prefix>.<output>.json with its shape.
 */
import { closeSync, openSync, readSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import * as ort from 'onnxruntime-node';
import { ensureVerifiedFile, readModelEntry } from '../src/index.js';

const [imagesPath, countArg, outPrefix, outputList] = process.argv.slice(2);
if (!imagesPath || !countArg || !outPrefix || !outputList) {
  console.error('usage: backbone-features.ts <images.u8> <count> <out-prefix> <output[,output...]>');
  process.exit(2);
}
const outputs = outputList.split(',');
const count = Number(countArg);
const entry = await readModelEntry('centernet-coco');
await ensureVerifiedFile(entry);
const { width, height } = entry.manifest.input;
const session = await ort.InferenceSession.create(entry.onnxPath, { intraOpNumThreads: Number(process.env['VIGIL_THREADS'] ?? 2) });

const frameBytes = width * height * 3;
const bytes = Buffer.alloc(frameBytes);
const input = new Float32Array(frameBytes);
const fd = openSync(imagesPath, 'r');
const files = outputs.map((o) => createWriteStream(`${outPrefix}.${o}.f32`));
const shapes: (readonly number[])[] = [];
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  if (readSync(fd, bytes, 0, frameBytes, i * frameBytes) !== frameBytes) throw new Error(`${imagesPath}: frame ${i} is short; expected ${count} frames of ${width}x${height}x3`);
  for (let j = 0; j < frameBytes; j++) input[j] = bytes[j]!;
  const result = await session.run({ [entry.manifest.input.name]: new ort.Tensor('float32', input, [1, height, width, 3]) }, outputs);
  for (const [k, o] of outputs.entries()) {
    const t = result[o]!;
    shapes[k] = t.dims;
    const data = t.data as Float32Array;
    if (!files[k]!.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) await once(files[k]!, 'drain');
  }
  if ((i + 1) % 100 === 0) console.log(JSON.stringify({ done: i + 1, of: count, msPerFrame: +((performance.now() - t0) / (i + 1)).toFixed(1) }));
}
closeSync(fd);
for (const [k, o] of outputs.entries()) {
  files[k]!.end();
  await once(files[k]!, 'finish');
  writeFileSync(`${outPrefix}.${o}.json`, JSON.stringify({ output: o, shape: [count, ...(shapes[k] ?? []).slice(1)], model: entry.manifest.name, sha256: entry.manifest.file.sha256 }));
}
console.log(JSON.stringify({ frames: count, shapes, msPerFrame: +((performance.now() - t0) / Math.max(1, count)).toFixed(1) }));
await session.release();
