import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { VigilError } from '@vigil/contracts';
import type { TfGraph, TfNode, TfWeight } from '../src/convert/tfjs-graph.js';
import { halfToFloat } from '../src/convert/tfjs-graph.js';
import { convertTfjsGraph } from '../src/convert/tfjs-to-onnx.js';

/** Small hand-made TF.js graphs whose outputs are worked out by hand, one TF semantic each. */
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const placeholder = (h: number, w: number, c: number): TfNode => ({ name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [1, h, w, c].map((d) => ({ size: String(d) })) } } } });
const konst = (name: string): TfNode => ({ name, op: 'Const' });
const weight = (name: string, shape: number[], data: number[], dtype: 'float32' | 'int32' = 'float32'): [string, TfWeight] => [name, { name, shape, dtype, data: dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data) }];

async function run(graph: TfGraph, input: number[], dims: number[], output: string): Promise<{ data: number[]; dims: readonly number[] }> {
  const { onnx } = convertTfjsGraph(graph, { input: { tf: 'x', onnx: 'x', layout: 'NHWC' }, outputs: [{ tf: output, onnx: 'y' }] });
  const session = await ort.InferenceSession.create(onnx, { logSeverityLevel: 3 });
  const out = (await session.run({ x: new ort.Tensor('float32', Float32Array.from(input), dims) }))['y']!;
  await session.release();
  return { data: [...(out.data as Float32Array)].map((v) => Math.round(v * 1e4) / 1e4), dims: out.dims };
}

test('Conv2D SAME with stride 2 pads at the end like TF (ONNX SAME_UPPER), then Relu6 clips', async () => {
  const graph: TfGraph = {
    nodes: [placeholder(4, 4, 1), konst('f'), { name: 'conv', op: 'Conv2D', input: ['x', 'f'], attr: { strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') } } },
      { name: 'r6', op: 'Relu6', input: ['conv'] }],
    weights: new Map([weight('f', [3, 3, 1, 1], new Array(9).fill(1 / 10))]),
  };
  // input 1..16 row-major; windows rows/cols {0,1,2} and {2,3,pad}: sums 54, 45, 72, 54 (/10), clipped at 6.
  const r = await run(graph, Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1], 'r6');
  assert.deepEqual(r.dims, [1, 1, 2, 2]);
  assert.deepEqual(r.data, [5.4, 4.5, 6, 5.4]);
});

test('depthwise conv with a channel multiplier keeps TF channel order (c * M + m)', async () => {
  const graph: TfGraph = {
    nodes: [placeholder(1, 1, 2), konst('f'), { name: 'dw', op: 'DepthwiseConv2dNative', input: ['x', 'f'], attr: { strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('VALID') } } }],
    // [kh, kw, C=2, M=2]: channel 0 x (1, 2), channel 1 x (3, 4)
    weights: new Map([weight('f', [1, 1, 2, 2], [1, 2, 3, 4])]),
  };
  const r = await run(graph, [10, 100], [1, 1, 1, 2], 'dw');
  assert.deepEqual(r.data, [10, 20, 300, 400]);
});

test('legacy ResizeBilinear (no align_corners, no half-pixel) samples at dst * in/out and clamps the edge', async () => {
  const graph: TfGraph = {
    nodes: [placeholder(2, 2, 1), konst('size'), { name: 'up', op: 'ResizeBilinear', input: ['x', 'size'], attr: { align_corners: { b: false }, half_pixel_centers: { b: false } } }],
    weights: new Map([weight('size', [2], [4, 4], 'int32')]),
  };
  const r = await run(graph, [0, 4, 8, 12], [1, 2, 2, 1], 'up');
  assert.deepEqual(r.data.slice(0, 4), [0, 2, 4, 4]);
  assert.deepEqual(r.data.slice(4, 8), [4, 6, 8, 8]);
});

test('Mean over H,W with keep_dims, per-channel Mul constant and ConcatV2 on the channel axis', async () => {
  const graph: TfGraph = {
    nodes: [placeholder(2, 2, 2), konst('axes'), konst('k'), konst('axis'),
      { name: 'mean', op: 'Mean', input: ['x', 'axes'], attr: { keep_dims: { b: true } } },
      { name: 'scaled', op: 'Mul', input: ['mean', 'k'] },
      { name: 'cat', op: 'ConcatV2', input: ['mean', 'scaled', 'axis'] }],
    weights: new Map([weight('axes', [2], [1, 2], 'int32'), weight('k', [2], [10, 100]), weight('axis', [], [3], 'int32')]),
  };
  // NHWC pixels (c0, c1): (1,2) (3,4) (5,6) (7,8) -> means 4, 5.
  const r = await run(graph, [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2], 'cat');
  assert.deepEqual(r.dims, [1, 4, 1, 1]);
  assert.deepEqual(r.data, [4, 5, 40, 500]);
});

test('an op the converter does not know is named in a clear error', () => {
  const graph: TfGraph = { nodes: [placeholder(2, 2, 1), { name: 'sp', op: 'Softplus', input: ['x'] }], weights: new Map() };
  assert.throws(() => convertTfjsGraph(graph, { input: { tf: 'x', onnx: 'x' }, outputs: [{ tf: 'sp', onnx: 'y' }] }), (err: unknown) => {
    assert.ok(err instanceof VigilError);
    assert.equal(err.code, 'VIGIL_ERR_MODEL_CONVERT');
    assert.match(err.message, /does not translate: Softplus/);
    return true;
  });
});

test('float16 weights widen exactly (TF.js quantisation)', () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x3555), 0.333251953125);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x7c00), Infinity);
});
