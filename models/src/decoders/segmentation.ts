import type { OutputTensor } from './types.js';

/**
 * Foreground mask (1 = foreground) at the output resolution for batch position b. With one output
 * channel the logit goes through a sigmoid and is compared with `threshold`; with several channels a
 * pixel is foreground when its arg-max class is one of `foreground`.
 */
export function foregroundMask(logits: OutputTensor, b: number, foreground: readonly number[], threshold: number): { mask: Uint8Array; width: number; height: number } {
  const [, classes, height, width] = logits.dims as [number, number, number, number];
  const plane = width * height;
  const mask = new Uint8Array(plane);
  const base = b * classes * plane;
  const d = logits.data;
  if (classes === 1) {
    const logitThreshold = Math.log(threshold / (1 - threshold));
    for (let p = 0; p < plane; p++) mask[p] = d[base + p]! > logitThreshold ? 1 : 0;
    return { mask, width, height };
  }
  const fg = new Set(foreground);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = d[base + c * plane + p]!;
      if (v > bestV) { bestV = v; best = c; }
    }
    mask[p] = fg.has(best) ? 1 : 0;
  }
  return { mask, width, height };
}
