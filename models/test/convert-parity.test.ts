import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { execFileSync } from 'node:child_process';
import { dataFile, ffmpegSkip } from '@vigil/testkit';
import { CenternetDecoder } from '../src/decoders/centernet.js';
import { convertHumanCenternet, humanCenternetJsonPath } from '../src/convert/human-centernet.js';

/**
 * Parity of the converted CenterNet with the TF.js original (@tensorflow/tfjs, pure-JS CPU backend)
 * on the same 512x512 input. Tolerances: heatmap (sigmoid scores) within 1e-4 absolute, box sizes
 * within 0.01 input pixels, and after decoding, the same peaks (class, cell) as the graph's own
 * `tower_0/detections` tail with boxes within 0.01 px. Measured on the frames below: heatmap
 * ~2e-7, sizes ~1e-3 px (float32 summation order differs between the two runtimes).
 */
const S = 512;
const HEAT_TOL = 1e-4;
const PIXEL_TOL = 0.01;

let session: ort.InferenceSession;
let graph: tf.GraphModel;

before(async () => {
  const { onnx, ops } = await convertHumanCenternet();
  assert.ok(ops['_FusedConv2D']! > 0 && ops['ResizeBilinear'] === 3, `converted ops: ${JSON.stringify(ops)}`);
  session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  await tf.setBackend('cpu');
  const jsonPath = humanCenternetJsonPath();
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; format: string; signature: object };
  const bin = readFileSync(join(jsonPath, '..', json.weightsManifest[0]!.paths[0]!));
  graph = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), format: json.format, signature: json.signature,
  }));
});

async function compare(image: sharp.Sharp): Promise<number> {
  const rgb = await image.resize(S, S, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const nhwc = Float32Array.from(rgb);
  const out = await session.run({ images: new ort.Tensor('float32', nhwc, [1, S, S, 3]) });
  const heat = out['heatmap']!.data as Float32Array;
  const sizes = out['sizes']!.data as Float32Array;
  const input = tf.tensor4d(nhwc, [1, S, S, 3]);
  const [kp, wh, det] = graph.execute(input, ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections']) as tf.Tensor[];
  const tfHeat = kp!.dataSync();
  const tfSizes = wh!.dataSync();
  const tfDet = det!.dataSync();
  tf.dispose([input, kp!, wh!, det!]);

  const H = 128, C = 80, plane = H * H;
  let heatDiff = 0;
  let sizeDiff = 0;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < C; c++) heatDiff = Math.max(heatDiff, Math.abs(tfHeat[p * C + c]! - heat[c * plane + p]!));
    for (let k = 0; k < 4; k++) sizeDiff = Math.max(sizeDiff, Math.abs(tfSizes[p * 4 + k]! - sizes[k * plane + p]!));
  }
  assert.ok(heatDiff <= HEAT_TOL, `heatmap differs by ${heatDiff}`);
  assert.ok(sizeDiff <= PIXEL_TOL, `box sizes differ by ${sizeDiff} px`);

  // The graph's own tail: [1,100,6] = x1,y1,x2,y2,score,class for the top 100 peaks. Compare those
  // above 0.05 with our decoder (peaks tied in score may come in either order, so match by content).
  const minScore = 0.05;
  const decoded = new CenternetDecoder({ type: 'centernet', heatmap: 'heatmap', sizes: 'sizes', stride: 4, topK: 100 })
    .decode({ heatmap: { data: heat, dims: [1, C, H, H] }, sizes: { data: sizes, dims: [1, 4, H, H] } }, 0, minScore);
  const expected = [];
  for (let i = 0; i < 100; i++) if (tfDet[i * 6 + 4]! >= minScore) expected.push(Array.from(tfDet.slice(i * 6, i * 6 + 6)));
  assert.equal(decoded.length, expected.length, `decoded ${decoded.length} peaks, the TF.js graph ${expected.length}`);
  for (const e of expected) {
    const match = decoded.find((d) => d.classIndex === e[5] && Math.abs(d.x1 - e[0]!) <= PIXEL_TOL && Math.abs(d.y1 - e[1]!) <= PIXEL_TOL && Math.abs(d.x2 - e[2]!) <= PIXEL_TOL && Math.abs(d.y2 - e[3]!) <= PIXEL_TOL);
    assert.ok(match, `TF.js detection ${e.join(',')} has no counterpart`);
    assert.ok(Math.abs(match.score - e[4]!) <= HEAT_TOL);
  }
  return expected.length;
}

test('converted CenterNet matches TF.js on a frame rendered here (runs without shared data)', async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
    <rect width="640" height="480" fill="#7a8a99"/><rect y="300" width="640" height="180" fill="#444"/>
    <rect x="80" y="320" width="200" height="90" rx="12" fill="#b01010"/><circle cx="120" cy="410" r="22" fill="#111"/><circle cx="240" cy="410" r="22" fill="#111"/>
    <ellipse cx="470" cy="260" rx="28" ry="40" fill="#d9b38c"/><rect x="440" y="300" width="60" height="150" fill="#2050a0"/></svg>`;
  await compare(sharp(Buffer.from(svg)));
});

const frames = dataFile('fire-smoke/cctv-fire8/test/images');
test('converted CenterNet matches TF.js on real CCTV frames from the shared data', { skip: frames.skip }, async () => {
  const names = readdirSync(frames.path).filter((f) => f.endsWith('.jpg')).sort();
  // Two frames far apart in the sorted list (different source videos).
  for (const name of [names[0]!, names[Math.floor(names.length / 2)]!]) await compare(sharp(join(frames.path, name)));
});

const clip = dataFile('traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4');
test('converted CenterNet matches TF.js on a Hanoi intersection frame (dozens of COCO objects)', { skip: clip.skip || ffmpegSkip() }, async () => {
  const jpeg = execFileSync('ffmpeg', ['-loglevel', 'error', '-ss', '20', '-i', clip.path, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '2', 'pipe:1']);
  const peaks = await compare(sharp(jpeg));
  assert.ok(peaks >= 10, `only ${peaks} peaks above 0.05: the frame should be busy`);
});
