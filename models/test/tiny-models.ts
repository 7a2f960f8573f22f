import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '@vigil/contracts';
import { encodeOnnxModel } from '../src/convert/onnx-proto.js';
import { loadModel } from '../src/runtime/load.js';

/**
 * Real, tiny ONNX models built with our own encoder, so runtime, CLI and evaluation tests run
 * without the shared data. The detector reads brightness: heatmap = 4x4 average of (R+G+B)/765 at
 * stride 4, so a white 4x4 block aligned to the grid is one peak of score 1; sizes are the constant
 * extents (left, top, right, bottom) given, in input pixels.
 */
export function tinyDetectorOnnx(size = 16, extents: [number, number, number, number] = [2, 2, 2, 2]): Uint8Array {
  return encodeOnnxModel({
    name: 'tiny-detector', producer: 'vigil-test', doc: '', opset: 13,
    inputs: [{ name: 'images', dims: ['N', 3, size, size] }],
    outputs: [{ name: 'heatmap', dims: ['N', 1, size / 4, size / 4] }, { name: 'sizes', dims: ['N', 4, size / 4, size / 4] }],
    initializers: [
      { name: 'w', dims: [1, 3, 1, 1], data: Float32Array.from([1 / 765, 1 / 765, 1 / 765]) },
      { name: 'w4', dims: [4, 3, 1, 1], data: new Float32Array(12) },
      { name: 'b4', dims: [4], data: Float32Array.from(extents) },
    ],
    nodes: [
      { op: 'Conv', name: 'grey', inputs: ['images', 'w'], outputs: ['grey'], attrs: { kernel_shape: [1, 1] } },
      { op: 'AveragePool', name: 'heatmap', inputs: ['grey'], outputs: ['heatmap'], attrs: { kernel_shape: [4, 4], strides: [4, 4] } },
      { op: 'Conv', name: 'c4', inputs: ['images', 'w4', 'b4'], outputs: ['c4'], attrs: { kernel_shape: [1, 1] } },
      { op: 'AveragePool', name: 'sizes', inputs: ['c4'], outputs: ['sizes'], attrs: { kernel_shape: [4, 4], strides: [4, 4] } },
    ],
  });
}

/** One-channel segmenter: logit = 20 * ((R+G+B)/765 - 0.5), so bright pixels are foreground. */
export function tinySegmenterOnnx(size = 16): Uint8Array {
  return encodeOnnxModel({
    name: 'tiny-segmenter', producer: 'vigil-test', doc: '', opset: 13,
    inputs: [{ name: 'images', dims: ['N', 3, size, size] }],
    outputs: [{ name: 'mask', dims: ['N', 1, size, size] }],
    initializers: [
      { name: 'w', dims: [1, 3, 1, 1], data: Float32Array.from([20 / 765, 20 / 765, 20 / 765]) },
      { name: 'b', dims: [1], data: Float32Array.from([-10]) },
    ],
    nodes: [{ op: 'Conv', name: 'mask', inputs: ['images', 'w', 'b'], outputs: ['mask'], attrs: { kernel_shape: [1, 1] } }],
  });
}

/** Colour classifier: logits = mean of each RGB channel (input normalised to 0..1), labels red, green, blue. */
export function tinyClassifierOnnx(size = 8): Uint8Array {
  return encodeOnnxModel({
    name: 'tiny-classifier', producer: 'vigil-test', doc: '', opset: 13,
    inputs: [{ name: 'images', dims: ['N', 3, size, size] }],
    outputs: [{ name: 'logits', dims: ['N', 3] }],
    initializers: [],
    nodes: [
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['images'], outputs: ['gap'] },
      { op: 'Flatten', name: 'logits', inputs: ['gap'], outputs: ['logits'], attrs: { axis: 1 } },
    ],
  });
}

export interface TinyManifestOptions {
  sha256?: string;
  width?: number;
  height?: number;
  task?: 'detect' | 'segment' | 'classify';
  score?: number;
}

/** Writes <root>/<name>/model.json + tiny.onnx. */
export function writeTinyModel(root: string, name: string, onnx: Uint8Array, o: TinyManifestOptions = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tiny.onnx'), onnx);
  const task = o.task ?? 'detect';
  const manifest = {
    name, version: '0', task, description: 'test model',
    file: { path: 'tiny.onnx', sha256: o.sha256 ?? createHash('sha256').update(onnx).digest('hex') },
    input: task === 'classify'
      ? { name: 'images', layout: 'NCHW', width: 8, height: 8, colour: 'RGB', mean: [0, 0, 0], std: [255, 255, 255], resize: 'stretch', batch: 'dynamic' }
      : { name: 'images', layout: 'NCHW', width: o.width ?? 16, height: o.height ?? 16, colour: 'RGB', mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', batch: 'dynamic' },
    decoder: task === 'detect'
      ? { type: 'centernet', heatmap: 'heatmap', sizes: 'sizes', stride: 4, topK: 10 }
      : task === 'segment' ? { type: 'segmentation-mask', output: 'mask', foreground: [0] } : { type: 'softmax', output: 'logits' },
    labels: task === 'detect' ? ['bright'] : task === 'segment' ? ['water'] : ['red', 'green', 'blue'],
    thresholds: { score: o.score ?? 0.5, iou: 0.5 },
    licence: { spdx: 'Apache-2.0' }, source: { url: 'test' },
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** A size x size RGB frame, black, with the given rectangles filled with a grey level. */
export function frameWith(size: number, blocks: { x: number; y: number; w: number; h: number; level: number }[]): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (const b of blocks) for (let y = b.y; y < b.y + b.h; y++) for (let x = b.x; x < b.x + b.w; x++) px.fill(b.level, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return px;
}

/** Loading model `name` from `modelsDir` fails with a VigilError of `code` whose message matches `pattern`. */
export async function expectLoadError(modelsDir: string, name: string, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadModel(name, { modelsDir }), (err: unknown) => {
    assert.ok(err instanceof VigilError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}
