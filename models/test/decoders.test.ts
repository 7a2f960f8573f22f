import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CenternetDecoder } from '../src/decoders/centernet.js';
import { classProbabilities } from '../src/decoders/classifier.js';
import { NanodetDecoder } from '../src/decoders/nanodet.js';
import { classwiseNms, iou } from '../src/decoders/nms.js';
import { foregroundMask } from '../src/decoders/segmentation.js';
import { YoloxDecoder } from '../src/decoders/yolox.js';
import { Yolov8Decoder } from '../src/decoders/yolov8.js';

const close = (a: number, b: number, eps = 1e-4): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('YOLOX: grid offset, exp size and obj x class score, stride by row position', () => {
  // 32x32 input, strides 8/16/32 -> 16 + 4 + 1 = 21 rows of 5 + 2 classes.
  const dec = new YoloxDecoder({ type: 'yolox', output: 'output', strides: [8, 16, 32] }, 32, 32);
  const data = new Float32Array(21 * 7);
  // Row 6 = stride 8, cell (gx=2, gy=1). Centre (2.5, 1.5)*8 = (20, 12); size e^0 * 8 = 8.
  data.set([0.5, 0.5, 0, 0, 0.9, 0.1, 0.8], 6 * 7);
  // Row 16 = first stride-16 cell (0,0): centre (0.5*16, 0.5*16) = (8, 8); w = e^1*16, h = 16.
  data.set([0.5, 0.5, 1, 0, 0.5, 0.6, 0.2], 16 * 7);
  // Row 20 = the stride-32 cell, scored below threshold (0.2 * 0.9).
  data.set([0, 0, 0, 0, 0.2, 0.9, 0], 20 * 7);
  const found = dec.decode({ output: { data, dims: [1, 21, 7] } }, 0, 0.25);
  assert.equal(found.length, 2);
  const a = found.find((c) => c.classIndex === 1)!;
  close(a.score, 0.72);
  assert.deepEqual([a.x1, a.y1, a.x2, a.y2].map((v) => Math.round(v * 1000) / 1000), [16, 8, 24, 16]);
  const b = found.find((c) => c.classIndex === 0)!;
  close(b.score, 0.3);
  close(b.x2 - b.x1, Math.E * 16);
  close(b.y1, 0);
});

test('YOLOX: an output whose row count does not fit the strides is a clear error', () => {
  const dec = new YoloxDecoder({ type: 'yolox', output: 'output', strides: [8, 16, 32] }, 32, 32);
  assert.throws(() => dec.decode({ output: { data: new Float32Array(20 * 7), dims: [1, 20, 7] } }, 0, 0.1), /21/);
});

test('NanoDet: GFL distance = expected bin x stride from the cell centre', () => {
  // 16x16 input, one stride of 8 -> 2x2 cells, 2 classes, regMax 3 (4 bins).
  const dec = new NanodetDecoder({ type: 'nanodet', strides: [8], classOutputs: ['cls8'], boxOutputs: ['dis8'], regMax: 3 }, 16, 16);
  const cls = new Float32Array(4 * 2);
  cls.set([0.1, 0.7], 3 * 2); // cell 3 = (x=1, y=1), class 1
  const dis = new Float32Array(4 * 16);
  const big = 50; // a one-hot bin after softmax
  // sides l,t,r,b: bins 1, 0, 2, 3
  [1, 0, 2, 3].forEach((bin, side) => { dis[3 * 16 + side * 4 + bin] = big; });
  const found = dec.decode({ cls8: { data: cls, dims: [1, 4, 2] }, dis8: { data: dis, dims: [1, 4, 16] } }, 0, 0.5);
  assert.equal(found.length, 1);
  const c = found[0]!;
  assert.equal(c.classIndex, 1);
  // centre (1*8 + 3.5, 1*8 + 3.5) = (11.5, 11.5); distances 8, 0, 16, 24; clipped to 16.
  close(c.x1, 3.5); close(c.y1, 11.5); close(c.x2, 16); close(c.y2, 16);
});

test('NanoDet: uniform bins give the mean bin', () => {
  const dec = new NanodetDecoder({ type: 'nanodet', strides: [8], classOutputs: ['c'], boxOutputs: ['d'], regMax: 7 }, 8, 8);
  const found = dec.decode({ c: { data: Float32Array.of(0.9), dims: [1, 1, 1] }, d: { data: new Float32Array(32), dims: [1, 1, 32] } }, 0, 0.5);
  // centre 3.5, distances 3.5 * 8 = 28 each side, clipped to the 8x8 input.
  close(found[0]!.x1, 0); close(found[0]!.x2, 8);
});

test('CenterNet: only 3x3 peaks above threshold, box from sizes, top-K by score, batch index honoured', () => {
  const dec = new CenternetDecoder({ type: 'centernet', heatmap: 'h', sizes: 's', stride: 4, topK: 2 });
  const C = 2, H = 4, W = 4, plane = H * W;
  const heat = new Float32Array(2 * C * plane);
  const sizes = new Float32Array(2 * 4 * plane);
  const b = 1; // write into the second image of the batch
  const at = (c: number, y: number, x: number): number => (b * C + c) * plane + y * W + x;
  heat[at(0, 1, 1)] = 0.9; // peak
  heat[at(0, 1, 2)] = 0.8; // neighbour of a higher cell: not a peak
  heat[at(1, 3, 3)] = 0.6; // peak of class 1
  heat[at(1, 0, 0)] = 0.5; // peak but beyond topK
  for (const [v, side] of [[2, 0], [3, 1], [4, 2], [5, 3]] as const) sizes[b * 4 * plane + side * plane + 1 * W + 1] = v;
  const found = dec.decode({ h: { data: heat, dims: [2, C, H, W] }, s: { data: sizes, dims: [2, 4, H, W] } }, b, 0.3);
  assert.deepEqual(found.map((f) => [f.classIndex, f.score]), [[0, heat[at(0, 1, 1)]], [1, heat[at(1, 3, 3)]]]);
  assert.deepEqual([found[0]!.x1, found[0]!.y1, found[0]!.x2, found[0]!.y2], [4 - 2, 4 - 3, 4 + 4, 4 + 5]);
  assert.deepEqual(dec.decode({ h: { data: heat, dims: [2, C, H, W] }, s: { data: sizes, dims: [2, 4, H, W] } }, 0, 0.3), []);
});

test('YOLOv8: [N, 4 + classes, anchors] with centre boxes', () => {
  const dec = new Yolov8Decoder({ type: 'yolov8', output: 'o' });
  // 2 classes, 3 anchors, layout [row][anchor]
  const data = Float32Array.from([
    10, 20, 30, // cx
    10, 20, 30, // cy
    4, 4, 4, // w
    2, 2, 2, // h
    0.1, 0.9, 0.2, // class 0
    0.6, 0.1, 0.1, // class 1
  ]);
  const found = dec.decode({ o: { data, dims: [1, 6, 3] } }, 0, 0.5);
  assert.deepEqual(found.map((f) => [f.classIndex, f.x1, f.y1, f.x2, f.y2]), [[1, 8, 9, 12, 11], [0, 18, 19, 22, 21]]);
});

test('class-wise NMS keeps overlapping boxes of different classes and drops same-class duplicates', () => {
  const box = (x1: number, score: number, classIndex: number) => ({ x1, y1: 0, x2: x1 + 10, y2: 10, score, classIndex });
  close(iou(box(0, 1, 0), box(5, 1, 0)), 50 / 150);
  const kept = classwiseNms([box(0, 0.9, 0), box(1, 0.8, 0), box(1, 0.7, 1), box(30, 0.6, 0)], 0.5);
  assert.deepEqual(kept.map((k) => [k.x1, k.classIndex]), [[0, 0], [1, 1], [30, 0]]);
  assert.equal(classwiseNms([box(0, 0.9, 0), box(30, 0.6, 0)], 0.5, 1).length, 1);
});

test('softmax and sigmoid classifier probabilities', () => {
  const logits = { data: Float32Array.from([0, 0, Math.log(2), 5, 5, 5]), dims: [2, 3] };
  const p = classProbabilities(logits, 0, 'softmax');
  close(p[0]!, 0.25); close(p[2]!, 0.5);
  const s = classProbabilities(logits, 1, 'sigmoid');
  close(s[0]!, 1 / (1 + Math.exp(-5)));
});

test('segmentation mask: sigmoid threshold for one channel, arg-max in foreground classes for several', () => {
  const one = foregroundMask({ data: Float32Array.from([-2, 0.5, 3, -0.1]), dims: [1, 1, 2, 2] }, 0, [0], 0.5);
  assert.deepEqual([...one.mask], [0, 1, 1, 0]);
  // 3 classes over 1x2 pixels, planes [class][pixel]; foreground = class 2. Pixel 0: class 2 wins; pixel 1: class 0 wins.
  const multi = foregroundMask({ data: Float32Array.from([1, 5, 0, 0, 2, 3]), dims: [1, 3, 1, 2] }, 0, [2], 0.5);
  assert.deepEqual([...multi.mask], [1, 0]);
});
