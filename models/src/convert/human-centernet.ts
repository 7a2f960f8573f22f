import { createRequire } from 'node:module';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readTfjsGraph } from './tfjs-graph.js';
import { convertTfjsGraph, type ConvertResult } from './tfjs-to-onnx.js';

/**
 * The COCO detector that works right after `npm install`: @vladmandic/human ships MB3-CenterNet as a
 * TF.js graph model. The graph is cut at its heatmap (`tower_0/keypoints`, after sigmoid) and box
 * sizes (`tower_0/wh`, already x16): the rest of it (MaxPool peak test, TopK over 1.3 M scores,
 * gathers) is done by the TypeScript CenterNet decoder, which only looks at cells above the score
 * threshold and keeps the batch dimension free, which the graph's own Reshape([1,-1]) tail does not.
 * Further outputs expose backbone and neck features for heads trained on the frozen backbone.
 */
export const HUMAN_CENTERNET = {
  input: { tf: 'tower_0/images', onnx: 'images', layout: 'NHWC' as const },
  outputs: [
    { tf: 'tower_0/keypoints', onnx: 'heatmap' },
    { tf: 'tower_0/wh', onnx: 'sizes' },
    // Features for Vigil's own heads trained on the frozen backbone (models/water): MobileNetV3 at strides
    // 8, 16 and 32. Exposing them costs nothing (they are computed anyway), and one backbone pass can
    // serve detection and the heads together.
    { tf: 'tower_0/MobilenetV3/expanded_conv_5/add', onnx: 'mb3_s8' },
    { tf: 'tower_0/MobilenetV3/expanded_conv_11/add', onnx: 'mb3_s16' },
    { tf: 'tower_0/extern1/hard_swish/mul_1', onnx: 'mb3_s32' },
    // The neck's stride-8 features (top-down path + backbone stride 8, 192 channels).
    { tf: 'tower_0/CenternetHead/concat_1', onnx: 'neck_s8' },
  ],
};

export function humanCenternetJsonPath(): string {
  const require = createRequire(import.meta.url);
  // The package's "exports" hides package.json; resolve its main entry and walk up to the package root.
  const main = require.resolve('@vladmandic/human');
  return join(dirname(main), '..', 'models', 'centernet.json');
}

/** Converts human's centernet.json/.bin to ONNX; with `outPath`, writes it atomically. */
export async function convertHumanCenternet(outPath?: string): Promise<ConvertResult> {
  const graph = await readTfjsGraph(humanCenternetJsonPath());
  const result = convertTfjsGraph(graph, {
    ...HUMAN_CENTERNET,
    producer: 'vigil-tfjs-to-onnx',
    doc: 'MB3-CenterNet (github.com/610265158/mobilenetv3_centernet) from @vladmandic/human models/centernet.json, converted by Vigil; cut before peak extraction.',
  });
  if (outPath) {
    await mkdir(dirname(outPath), { recursive: true });
    const tmp = `${outPath}.${process.pid}.tmp`;
    await writeFile(tmp, result.onnx);
    await rename(tmp, outPath);
  }
  return result;
}
