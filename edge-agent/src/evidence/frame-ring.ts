import type { ImageView } from '../analytics/flood/water-level-estimator.js';

/** A frame kept for evidence: its own copy of the pixels (sources reuse their buffers). */
export interface RingFrame {
  at: number;
  width: number;
  height: number;
  format: 'rgb24' | 'gray';
  data: Buffer;
}

/**
 * The last `seconds` of a camera at no more than `fps`, for the pre-roll of evidence clips. Memory is
 * bounded by seconds x fps frames (640x360 rgb: 0.7 MB a frame, so 4 s at 5 fps is 14 MB per camera).
 */
export class FrameRing {
  private readonly frames: RingFrame[] = [];
  private readonly minGapMs: number;

  constructor(
    readonly seconds: number,
    readonly fps: number,
  ) {
    this.minGapMs = 1000 / fps;
  }

  /** Keeps the frame if it is at least 1/fps after the last one kept; returns whether it did. */
  push(at: number, image: ImageView): boolean {
    const last = this.frames[this.frames.length - 1];
    if (last && at - last.at < this.minGapMs * 0.9) return false;
    this.frames.push({ at, width: image.width, height: image.height, format: image.format ?? 'rgb24', data: Buffer.from(image.data) });
    while (this.frames.length && this.frames[0]!.at < at - this.seconds * 1000) this.frames.shift();
    return true;
  }

  /** Frames with from <= at <= to, oldest first. */
  between(from: number, to: number): RingFrame[] {
    return this.frames.filter((f) => f.at >= from && f.at <= to);
  }

  get size(): number {
    return this.frames.length;
  }
}
