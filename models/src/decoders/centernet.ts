import type { Static } from '@sinclair/typebox';
import type { CenternetDecoder as CenternetSpec } from '../manifest.js';
import { requireOutput, type Candidate, type DetectionDecoder, type Outputs } from './types.js';

/**
 * CenterNet: a cell is a detection when its class score is the maximum of its 3x3 neighbourhood
 * (the TF graph's MaxPool + Equal, done here only for cells above the score threshold, which is what
 * makes it cheap) and is among the topK peaks. The box extends sizes[0..3] (left, top, right, bottom,
 * input pixels) from the peak at (x*stride, y*stride), as the graph's own post-processing does.
 */
export class CenternetDecoder implements DetectionDecoder {
  readonly outputNames: readonly string[];

  constructor(private readonly spec: Static<typeof CenternetSpec>) {
    this.outputNames = [spec.heatmap, spec.sizes];
  }

  decode(outputs: Outputs, b: number, minScore: number): Candidate[] {
    const heat = requireOutput(outputs, this.spec.heatmap);
    const sizes = requireOutput(outputs, this.spec.sizes);
    const [, classes, h, w] = heat.dims as [number, number, number, number];
    const plane = h * w;
    const hd = heat.data;
    const peaks: { score: number; c: number; y: number; x: number }[] = [];
    for (let c = 0; c < classes; c++) {
      const base = (b * classes + c) * plane;
      const end = base + plane;
      for (let i = base; i < end; i++) {
        const v = hd[i]!;
        if (v < minScore) continue;
        const cell = i - base;
        const x = cell % w;
        const y = (cell - x) / w;
        if (isPeak(hd, base, w, h, x, y, v)) peaks.push({ score: v, c, y, x });
      }
    }
    peaks.sort((p, q) => q.score - p.score);
    const s = this.spec.stride;
    const sb = b * 4 * plane;
    return peaks.slice(0, this.spec.topK).map(({ score, c, y, x }) => {
      const at = sb + y * w + x;
      return {
        x1: x * s - sizes.data[at]!,
        y1: y * s - sizes.data[at + plane]!,
        x2: x * s + sizes.data[at + 2 * plane]!,
        y2: y * s + sizes.data[at + 3 * plane]!,
        score,
        classIndex: c,
      };
    });
  }
}

function isPeak(data: Float32Array, base: number, w: number, h: number, x: number, y: number, v: number): boolean {
  for (let dy = -1; dy <= 1; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= h) continue;
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      if (xx < 0 || xx >= w) continue;
      if (data[base + yy * w + xx]! > v) return false;
    }
  }
  return true;
}
