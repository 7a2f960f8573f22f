import type { Box } from '@vigil/contracts';
import type { GreyImage } from './grey.js';
import { rasterizeMask, type NormalisedPolygon } from './mask.js';

export interface MotionResult {
  detected: boolean;
  /** Boxes around changed areas, normalised, largest first. */
  regions: Box[];
  /** Share of unmasked pixels that changed. */
  changedRatio: number;
  /** The whole picture changed at once (lights, exposure, a cloud): reported as no motion. */
  lightingChange: boolean;
}

/** The motion stage: one grey thumbnail in, motion regions out. */
export interface MotionDetector {
  detect(image: GreyImage): MotionResult;
}

export interface MotionOptions {
  /** 0 = only large, strong changes; 1 = the smallest (config motion.sensitivity). */
  sensitivity: number;
  /** Ignored areas (config motion.masks). */
  masks?: readonly NormalisedPolygon[];
}

// Per-pixel grey difference counted as change: 40 at sensitivity 0 down to 8 at 1. Below 8 the
// H.264 noise of a still street at night already trips it.
const THRESHOLD_AT_0 = 40;
const THRESHOLD_AT_1 = 8;
// Smallest region, as a share of the picture: 1% at sensitivity 0 down to 0.02% (about 3 pixels of a
// 160x90 thumbnail) at 1; geometric, so the middle of the scale (0.14%) is a person at 30 m.
const MIN_REGION_AT_0 = 0.01;
const MIN_REGION_AT_1 = 0.0002;
// When more than this share changes at once it is light (or the camera moved), not an object.
const LIGHTING_CHANGE_RATIO = 0.6;
// Background learning rate per frame: a 2 s time constant at 5 fps.
const BACKGROUND_ALPHA = 0.1;
const MAX_REGIONS = 32;

const EMPTY: MotionResult = { detected: false, regions: [], changedRatio: 0, lightingChange: false };

/**
 * Frame differencing against a running-average background, after removing a global gain change
 * (auto exposure scales the whole picture), so only local change counts as motion.
 */
export class FrameDifferenceMotionDetector implements MotionDetector {
  private readonly threshold: number;
  private readonly minRegionRatio: number;
  private readonly masks: readonly NormalisedPolygon[];
  private background: Float32Array | undefined;
  private mask: Uint8Array | undefined;
  private size = '';

  constructor(options: MotionOptions) {
    const s = Math.min(1, Math.max(0, options.sensitivity));
    this.threshold = THRESHOLD_AT_0 + (THRESHOLD_AT_1 - THRESHOLD_AT_0) * s;
    this.minRegionRatio = MIN_REGION_AT_0 * (MIN_REGION_AT_1 / MIN_REGION_AT_0) ** s;
    this.masks = options.masks ?? [];
  }

  detect(image: GreyImage): MotionResult {
    const { width, height, data } = image;
    const n = width * height;
    if (this.size !== `${width}x${height}` || !this.background || !this.mask) {
      this.size = `${width}x${height}`;
      this.mask = rasterizeMask(this.masks, width, height);
      this.background = Float32Array.from(data);
      return EMPTY;
    }
    const bg = this.background;
    const mask = this.mask;

    let sumCur = 0;
    let sumBg = 0;
    let unmasked = 0;
    for (let i = 0; i < n; i++) {
      if (mask[i]) continue;
      sumCur += data[i]!;
      sumBg += bg[i]!;
      unmasked++;
    }
    if (unmasked === 0) return EMPTY;
    const gain = sumBg > 0 ? sumCur / sumBg : 1;

    const changed = new Uint8Array(n);
    let changedCount = 0;
    for (let i = 0; i < n; i++) {
      if (mask[i]) continue;
      if (Math.abs(data[i]! - gain * bg[i]!) > this.threshold) {
        changed[i] = 1;
        changedCount++;
      }
    }
    const changedRatio = changedCount / unmasked;
    if (changedRatio > LIGHTING_CHANGE_RATIO) {
      this.background = Float32Array.from(data);
      return { ...EMPTY, changedRatio, lightingChange: true };
    }
    for (let i = 0; i < n; i++) bg[i] = bg[i]! + BACKGROUND_ALPHA * (data[i]! - bg[i]!);

    const minPixels = Math.max(1, Math.round(this.minRegionRatio * n));
    const regions = findRegions(dilate(changed, width, height), width, height, minPixels);
    return { detected: regions.length > 0, regions, changedRatio, lightingChange: false };
  }
}

/** 3x3 dilation, so a walking person split by the thresholds stays one region. */
function dilate(bits: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(bits.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!bits[y * width + x]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width) out[yy * width + xx] = 1;
        }
      }
    }
  }
  return out;
}

/** 4-connected components with at least minPixels pixels, as normalised boxes, largest first. */
function findRegions(bits: Uint8Array, width: number, height: number, minPixels: number): Box[] {
  const seen = new Uint8Array(bits.length);
  const stack: number[] = [];
  const found: { box: Box; pixels: number }[] = [];
  for (let start = 0; start < bits.length; start++) {
    if (!bits[start] || seen[start]) continue;
    let [x1, y1, x2, y2, pixels] = [width, height, 0, 0, 0];
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      pixels++;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
      if (x > 0 && bits[i - 1] && !seen[i - 1]) (seen[i - 1] = 1), stack.push(i - 1);
      if (x < width - 1 && bits[i + 1] && !seen[i + 1]) (seen[i + 1] = 1), stack.push(i + 1);
      if (y > 0 && bits[i - width] && !seen[i - width]) (seen[i - width] = 1), stack.push(i - width);
      if (y < height - 1 && bits[i + width] && !seen[i + width]) (seen[i + width] = 1), stack.push(i + width);
    }
    if (pixels < minPixels) continue;
    found.push({ pixels, box: { x1: x1 / width, y1: y1 / height, x2: (x2 + 1) / width, y2: (y2 + 1) / height } });
  }
  return found
    .sort((a, b) => b.pixels - a.pixels)
    .slice(0, MAX_REGIONS)
    .map((f) => f.box);
}
