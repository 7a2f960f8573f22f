import type { Static } from '@sinclair/typebox';
import type { Yolov8Decoder as Yolov8Spec } from '../manifest.js';
import { requireOutput, type Candidate, type DetectionDecoder, type Outputs } from './types.js';

/** Ultralytics YOLOv8-style export: [N, 4 + classes, anchors], boxes cx,cy,w,h in input pixels, no objectness. */
export class Yolov8Decoder implements DetectionDecoder {
  readonly outputNames: readonly string[];

  constructor(private readonly spec: Static<typeof Yolov8Spec>) {
    this.outputNames = [spec.output];
  }

  decode(outputs: Outputs, b: number, minScore: number): Candidate[] {
    const out = requireOutput(outputs, this.spec.output);
    const [, rows, anchors] = out.dims as [number, number, number];
    const classes = rows - 4;
    const base = b * rows * anchors;
    const d = out.data;
    const found: Candidate[] = [];
    for (let a = 0; a < anchors; a++) {
      let best = 0;
      let score = -1;
      for (let c = 0; c < classes; c++) {
        const v = d[base + (4 + c) * anchors + a]!;
        if (v > score) { score = v; best = c; }
      }
      if (score < minScore) continue;
      const cx = d[base + a]!;
      const cy = d[base + anchors + a]!;
      const w = d[base + 2 * anchors + a]!;
      const h = d[base + 3 * anchors + a]!;
      found.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classIndex: best });
    }
    return found;
  }
}
