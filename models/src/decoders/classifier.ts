import type { OutputTensor } from './types.js';

/** Class probabilities for batch position b from logits [N, classes]: softmax (one label) or sigmoid (multi-label). */
export function classProbabilities(logits: OutputTensor, b: number, kind: 'softmax' | 'sigmoid'): Float64Array {
  const classes = logits.dims[logits.dims.length - 1]!;
  const out = new Float64Array(classes);
  const base = b * classes;
  if (kind === 'sigmoid') {
    for (let c = 0; c < classes; c++) out[c] = 1 / (1 + Math.exp(-logits.data[base + c]!));
    return out;
  }
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits.data[base + c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) { out[c] = Math.exp(logits.data[base + c]! - max); sum += out[c]!; }
  for (let c = 0; c < classes; c++) out[c]! /= sum;
  return out;
}
