import type { Static } from '@sinclair/typebox';
import type { YoloxDecoder as YoloxSpec } from '../manifest.js';
import { requireOutput, type Candidate, type DetectionDecoder, type Outputs } from './types.js';

/**
 * YOLOX head exported without in-graph decoding (Megvii's export default): one row per grid cell,
 * strides in order, cells row-major. Row: x, y offsets from the cell's corner and log w, log h, all in
 * stride units; objectness and class scores already passed through sigmoid. Score = obj x class.
 */
export class YoloxDecoder implements DetectionDecoder {
  readonly outputNames: readonly string[];
  private readonly grid: { x: Float32Array; y: Float32Array; stride: Float32Array } ;

  constructor(private readonly spec: Static<typeof YoloxSpec>, inputWidth: number, inputHeight: number) {
    this.outputNames = [spec.output];
    const cells = spec.strides.reduce((n, s) => n + Math.floor(inputWidth / s) * Math.floor(inputHeight / s), 0);
    this.grid = { x: new Float32Array(cells), y: new Float32Array(cells), stride: new Float32Array(cells) };
    let i = 0;
    for (const s of spec.strides) {
      const gw = Math.floor(inputWidth / s);
      const gh = Math.floor(inputHeight / s);
      for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++, i++) {
        this.grid.x[i] = gx;
        this.grid.y[i] = gy;
        this.grid.stride[i] = s;
      }
    }
  }

  decode(outputs: Outputs, b: number, minScore: number): Candidate[] {
    const out = requireOutput(outputs, this.spec.output);
    const [, rows, width] = out.dims as [number, number, number];
    if (rows !== this.grid.x.length) throw new Error(`yolox decoder: output has ${rows} rows but strides ${this.spec.strides.join('/')} on this input size give ${this.grid.x.length}. Fix input size or strides in model.json.`);
    const classes = width - 5;
    const data = out.data;
    const found: Candidate[] = [];
    for (let r = 0; r < rows; r++) {
      const o = (b * rows + r) * width;
      const obj = data[o + 4]!;
      if (obj < minScore) continue;
      let best = 0;
      let bestScore = -1;
      for (let c = 0; c < classes; c++) {
        const v = data[o + 5 + c]!;
        if (v > bestScore) { bestScore = v; best = c; }
      }
      const score = obj * bestScore;
      if (score < minScore) continue;
      const s = this.grid.stride[r]!;
      const cx = (data[o]! + this.grid.x[r]!) * s;
      const cy = (data[o + 1]! + this.grid.y[r]!) * s;
      const w = Math.exp(data[o + 2]!) * s;
      const h = Math.exp(data[o + 3]!) * s;
      found.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classIndex: best });
    }
    return found;
  }
}
