import type { Static } from '@sinclair/typebox';
import type { NanodetDecoder as NanodetSpec } from '../manifest.js';
import { requireOutput, type Candidate, type DetectionDecoder, type Outputs } from './types.js';

/**
 * NanoDet (GFL head, the "m" models of NanoDet 0.x): per stride, class scores (sigmoid in graph) and
 * for each side l,t,r,b a distribution over regMax+1 bins; the distance is the expected bin times the
 * stride, measured from the cell centre x*stride + (stride-1)/2 (the reference post-processing).
 */
export class NanodetDecoder implements DetectionDecoder {
  readonly outputNames: readonly string[];
  private readonly bins: number;
  private readonly probs: Float64Array;

  constructor(private readonly spec: Static<typeof NanodetSpec>, private readonly inputWidth: number, private readonly inputHeight: number) {
    this.outputNames = [...spec.classOutputs, ...spec.boxOutputs];
    this.bins = spec.regMax + 1;
    this.probs = new Float64Array(this.bins);
  }

  decode(outputs: Outputs, b: number, minScore: number): Candidate[] {
    const found: Candidate[] = [];
    this.spec.strides.forEach((stride, level) => {
      const cls = requireOutput(outputs, this.spec.classOutputs[level]!);
      const box = requireOutput(outputs, this.spec.boxOutputs[level]!);
      const [, cells, classes] = cls.dims as [number, number, number];
      const gw = Math.ceil(this.inputWidth / stride);
      if (cells !== gw * Math.ceil(this.inputHeight / stride)) throw new Error(`nanodet decoder: ${this.spec.classOutputs[level]} has ${cells} cells; stride ${stride} on ${this.inputWidth}x${this.inputHeight} gives ${gw * Math.ceil(this.inputHeight / stride)}. Fix model.json.`);
      const boxWidth = box.dims[2]!;
      if (boxWidth !== 4 * this.bins) throw new Error(`nanodet decoder: ${this.spec.boxOutputs[level]} has ${boxWidth} values per cell, expected 4 x (regMax+1) = ${4 * this.bins}.`);
      for (let i = 0; i < cells; i++) {
        const o = (b * cells + i) * classes;
        let best = 0;
        let score = -1;
        for (let c = 0; c < classes; c++) {
          const v = cls.data[o + c]!;
          if (v > score) { score = v; best = c; }
        }
        if (score < minScore) continue;
        const cx = (i % gw) * stride + (stride - 1) / 2;
        const cy = Math.floor(i / gw) * stride + (stride - 1) / 2;
        const q = (b * cells + i) * boxWidth;
        const d = [0, 1, 2, 3].map((side) => this.expectedBin(box.data, q + side * this.bins) * stride) as [number, number, number, number];
        found.push({
          x1: Math.max(0, cx - d[0]), y1: Math.max(0, cy - d[1]),
          x2: Math.min(this.inputWidth, cx + d[2]), y2: Math.min(this.inputHeight, cy + d[3]),
          score, classIndex: best,
        });
      }
    });
    return found;
  }

  /** Softmax over the bins, then the expected bin index. */
  private expectedBin(data: Float32Array, at: number): number {
    let max = -Infinity;
    for (let k = 0; k < this.bins; k++) max = Math.max(max, data[at + k]!);
    let sum = 0;
    for (let k = 0; k < this.bins; k++) { this.probs[k] = Math.exp(data[at + k]! - max); sum += this.probs[k]!; }
    let e = 0;
    for (let k = 0; k < this.bins; k++) e += (this.probs[k]! / sum) * k;
    return e;
  }
}
