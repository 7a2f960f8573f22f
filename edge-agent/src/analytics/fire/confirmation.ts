import { iou, type BoxLike } from '../../geometry/index.js';

/**
 * k-of-n temporal confirmation, after Pyronear's edge engine (pyro-engine keeps the last
 * `nb_consecutive_frames` predictions and raises an alert only for a box that overlaps detections in
 * enough of them): a box in the current sampled frame is confirmed when boxes overlapping it (IoU > 0)
 * appear in at least k of the last n sampled frames, the current one included. A flame flickering in one
 * place confirms; a lamp glint in one frame, or detections scattered over the image, do not.
 */
export class KOfNConfirmation {
  private readonly frames: BoxLike[][] = [];

  constructor(
    readonly k: number,
    readonly n: number,
  ) {}

  /** Adds one sampled frame's boxes (possibly none) and returns the confirmed boxes of that frame with their hit counts. */
  push(boxes: readonly BoxLike[]): { confirmed: BoxLike[]; hits: number } {
    this.frames.push([...boxes]);
    if (this.frames.length > this.n) this.frames.shift();
    const confirmed: BoxLike[] = [];
    let best = 0;
    for (const box of boxes) {
      const hits = this.frames.filter((frame) => frame.some((b) => overlaps(b, box))).length;
      best = Math.max(best, hits);
      if (hits >= this.k) confirmed.push(box);
    }
    return { confirmed, hits: best };
  }

  /** Sampled frames in the window with any box at all. */
  get framesWithBoxes(): number {
    return this.frames.filter((f) => f.length > 0).length;
  }

  reset(): void {
    this.frames.length = 0;
  }
}

const overlaps = (a: BoxLike, b: BoxLike) => iou(a, b) > 0;
