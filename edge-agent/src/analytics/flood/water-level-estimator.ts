import type { Point } from '../../geometry/index.js';
import type { GaugeAxis, GaugeCalibration } from './gauge-calibration.js';

/** A decoded picture (a source Frame fits): packed rows, 3 bytes per pixel for rgb24, 1 for gray. */
export interface ImageView {
  width: number;
  height: number;
  data: Uint8Array;
  format?: 'rgb24' | 'gray';
}

/**
 * The water model's output, row by row at any size (normalised coordinates map onto it): water
 * probability per pixel 0..1, or a binary mask (1 = water) as @vigil/models' Segmenter returns.
 */
export interface WaterMask {
  width: number;
  height: number;
  data: Float32Array | Uint8Array;
}

export type GaugeInvisibleReason = 'too_dark' | 'no_pattern' | 'no_waterline' | 'submerged' | 'out_of_frame' | 'unstable';

export type GaugeReading =
  | {
      visible: true;
      /** Depth above the gauge's reference in cm (0 when the water is below it). */
      depthCm: number;
      /** Normalised image point where the waterline meets the gauge. */
      waterline: Point;
      /** 0..1: how clearly the two sides of the waterline differ. */
      confidence: number;
      source: 'image' | 'mask';
    }
  | { visible: false; reason: GaugeInvisibleReason; detail: string };

export interface WaterLevelEstimatorOptions {
  /** Strip mean luma (0-255) below which the gauge is too dark to read (IR off, lamp out). */
  minLuma?: number;
  /** Colour difference of gauge vs water, as a share of full scale, below which no waterline is seen. */
  minContrast?: number;
  /** Spread of row brightness (p95-p5)/p95 that the painted marks must show above the waterline. */
  minPattern?: number;
  /** Share of the gauge span below its lowest mark that is read too (water below the zero mark). */
  belowShare?: number;
  /** How much brighter (median luma ratio) the painted board above the waterline must be than the strip below it. */
  minBoardRatio?: number;
  /** Largest mean change of the gauge above the waterline since the previous frame, as a share of its brightness. */
  maxBoardChange?: number;
  /** Share of the strip above the waterline that must be light board (the rest: the painted marks). */
  minBoardShare?: number;
  /** Longest stretch of the gauge without a painted mark, as a share of the marked span (gauges mark every 10-20 cm). */
  maxMarkGap?: number;
}

/**
 * Finds the waterline on a calibrated gauge and turns it into a depth. Two cues, both read along the
 * strip around the gauge line, one sample per pixel of gauge length:
 * - the water model's probabilities (when given): the waterline is the best split of the profile into
 *   "water below, dry above";
 * - the image itself (model-free): above the waterline the painted gauge is visible, below it the strip
 *   looks like water. The waterline is the best two-segment split of the row colours (least squares).
 *   The rows are filtered first: a 3-row median (sensor noise, rain streaks), then a running max over ~2%
 *   of the frame height, which closes the thin dark tick marks so a tick just above the water is not
 *   taken for water; the max moves the board's lower edge down by half its window, which is added back.
 * The image also decides whether the gauge can be read at all: too dark, no paint pattern above the
 * line (occluded, or the camera moved) or no contrast (fully submerged, fog) is reported as not
 * visible rather than guessed.
 */
export class WaterLevelEstimator {
  private readonly minLuma: number;
  private readonly minContrast: number;
  private readonly minPattern: number;
  private readonly belowShare: number;
  private readonly minBoardRatio: number;
  private readonly maxBoardChange: number;
  private readonly minBoardShare: number;
  private readonly maxMarkGap: number;
  /** The previous frame's strip: paint does not move, so the gauge above the line must look the same. */
  private previousLuma: Float64Array | undefined;
  private compareTo: Float64Array | undefined;

  constructor(
    readonly gauge: GaugeCalibration,
    options: WaterLevelEstimatorOptions = {},
  ) {
    this.minLuma = options.minLuma ?? 14;
    this.minContrast = options.minContrast ?? 0.08;
    this.minPattern = options.minPattern ?? 0.2;
    this.belowShare = options.belowShare ?? 0.15;
    this.minBoardRatio = options.minBoardRatio ?? 1.15;
    this.maxBoardChange = options.maxBoardChange ?? 0.15;
    this.minBoardShare = options.minBoardShare ?? 0.5;
    this.maxMarkGap = options.maxMarkGap ?? 0.25;
  }

  read(image: ImageView | undefined, mask?: WaterMask): GaugeReading {
    if (!image && !mask) return { visible: false, reason: 'no_waterline', detail: 'neither a frame nor a water mask was given' };
    const strip = image ? this.imageStrip(image) : undefined;
    if (strip && 'reason' in strip) return strip;
    if (strip) {
      this.compareTo = this.previousLuma;
      this.previousLuma = strip.luma;
    }
    if (strip && strip.meanLuma < this.minLuma) {
      return { visible: false, reason: 'too_dark', detail: `gauge strip mean brightness ${strip.meanLuma.toFixed(0)} < ${this.minLuma}` };
    }
    if (mask) return this.readMask(mask, strip);
    return this.readImage(strip!);
  }

  private readImage(strip: Strip): GaugeReading {
    const split = bestSplit(strip.filtered, 3);
    const contrast = colourDistance(split.meanBelow, split.meanAbove) / (255 * Math.sqrt(3));
    if (contrast < this.minContrast) {
      return { visible: false, reason: 'no_waterline', detail: `no edge along the gauge (contrast ${contrast.toFixed(3)}): submerged, fogged or not there` };
    }
    const index = Math.min(strip.filtered.length / 3 - 1, split.index + strip.edgeShift);
    const pattern = this.checkPattern(strip, index);
    if (pattern) return pattern;
    return this.reading(strip.axis, strip.sLo, index, strip.width, strip.height, Math.min(1, contrast / (3 * this.minContrast)), 'image');
  }

  private readMask(mask: WaterMask, strip: Strip | undefined): GaugeReading {
    const axis = this.gauge.inPixels(mask.width, mask.height);
    const sLo = -this.belowShare * axis.length;
    const n = Math.max(2, Math.ceil(axis.length - sLo));
    const profile = new Float64Array(n);
    const half = Math.max(1, axis.stripPx / 2);
    for (let i = 0; i < n; i++) {
      const { p, dir } = axis.pointAt(sLo + i);
      let sum = 0;
      let count = 0;
      for (let k = -half; k <= half; k += 1) {
        const x = Math.floor(p[0] - dir[1] * k);
        const y = Math.floor(p[1] + dir[0] * k);
        if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) continue;
        sum += mask.data[y * mask.width + x]!;
        count++;
      }
      profile[i] = count ? sum / count : 0;
    }
    const fromMask = this.maskWaterline(profile);
    if (!strip) return 'index' in fromMask ? this.reading(axis, sLo, fromMask.index, mask.width, mask.height, fromMask.confidence, 'mask') : fromMask;
    // the model proposes, the frame checks: its line must have painted gauge above it and no dry gauge
    // right below it; when the frame disagrees, the image cue reads the gauge on its own
    let veto: GaugeReading | undefined = 'index' in fromMask ? undefined : fromMask;
    if ('index' in fromMask) {
      // the frame is on its own grid; move the split there before checking it
      const frameIndex = Math.max(0, Math.min(strip.luma.length, Math.round(((sLo + fromMask.index) / axis.length) * strip.axis.length - strip.sLo)));
      veto = this.checkPattern(strip, frameIndex) ?? this.checkWetBelow(strip, frameIndex);
      if (!veto) return this.reading(axis, sLo, fromMask.index, mask.width, mask.height, fromMask.confidence, 'mask');
    }
    const image = this.readImage(strip);
    return image.visible ? image : veto!;
  }

  private maskWaterline(profile: Float64Array): { index: number; confidence: number } | Extract<GaugeReading, { visible: false }> {
    if (Math.min(...profile) >= 0.5) return { visible: false, reason: 'submerged', detail: 'the water model sees water along the whole gauge' };
    if (Math.max(...profile) < 0.5) return { index: 0, confidence: 1 - Math.max(...profile) };
    const split = bestSplit(profile, 1);
    if (!(split.meanBelow[0]! >= 0.5 && split.meanAbove[0]! < 0.5)) {
      return { visible: false, reason: 'no_waterline', detail: 'the water mask along the gauge has no water-below / dry-above edge' };
    }
    return { index: split.index, confidence: split.meanBelow[0]! - split.meanAbove[0]! };
  }

  /** Just below a waterline the strip must not look like the light board above it (the gauge would be dry there). */
  private checkWetBelow(strip: Strip, index: number): GaugeReading | undefined {
    const band = Math.max(3, Math.round(0.1 * strip.axis.length));
    if (index < band) return undefined;
    const below = medianOf(strip.luma.slice(index - band, index));
    const board = medianOf(strip.luma.slice(index));
    if (below * this.minBoardRatio >= board) {
      return { visible: false, reason: 'no_waterline', detail: `below the water model's line the strip is as light as the gauge above it (${below.toFixed(0)} vs ${board.toFixed(0)}): the model and the frame disagree` };
    }
    return undefined;
  }

  /**
   * What makes the strip above the line a gauge: a light board (white or yellow paint; IR makes it
   * lighter still) brighter than the water below it, with dark marks on it. Trees over a road, a wall
   * or a parked van fail one or the other; the marks are only checked when enough of the gauge is left.
   */
  private checkPattern(strip: Strip, index: number): GaugeReading | undefined {
    const above = strip.luma.slice(index);
    const below = strip.luma.slice(0, Math.max(1, index));
    const board = medianOf(above);
    const water = medianOf(below);
    const previous = this.compareTo;
    if (previous && previous.length === strip.luma.length) {
      const from = index;
      let diff = 0;
      for (let i = from; i < strip.luma.length; i++) diff += Math.abs(strip.luma[i]! - previous[i]!);
      const change = strip.luma.length > from ? diff / (strip.luma.length - from) / Math.max(1, board) : 0;
      if (change > this.maxBoardChange) {
        return { visible: false, reason: 'unstable', detail: `the gauge above the line changed by ${(change * 100).toFixed(0)}% since the last frame: something moves in front of it` };
      }
    }
    if (above.length > 0 && board < this.minBoardRatio * water) {
      return { visible: false, reason: 'no_pattern', detail: `the strip above the line (median ${board.toFixed(0)}) is not lighter than below it (${water.toFixed(0)}): not a painted gauge, or occluded` };
    }
    if (above.length < 0.1 * strip.axis.length) return undefined;
    const sorted = Float64Array.from(above).sort();
    const p95 = sorted[Math.floor(0.95 * (sorted.length - 1))]!;
    const p5 = sorted[Math.floor(0.05 * (sorted.length - 1))]!;
    const spread = p95 > 0 ? (p95 - p5) / p95 : 0;
    if (spread < this.minPattern) {
      return { visible: false, reason: 'no_pattern', detail: `no painted marks above the waterline (spread ${spread.toFixed(2)} < ${this.minPattern}): occluded or the camera moved` };
    }
    // the board is most of the gauge: thin dark marks on light paint, not one light band among dark ones
    const light = above.filter((v) => v >= 0.75 * p95).length / above.length;
    if (light < this.minBoardShare) {
      return { visible: false, reason: 'no_pattern', detail: `only ${(light * 100).toFixed(0)}% of the strip above the line is light board (< ${(this.minBoardShare * 100).toFixed(0)}%): not a painted gauge` };
    }
    // and the marks repeat: thin dark bands with board on both sides (a road with a car on it has one wide dark blob)
    // and the marks repeat along the whole board: thin dark bands with board on both sides, no long stretch without one
    // (a road with traffic far away has its dark bands bunched at one end)
    const marks = thinDarkBands(above, 0.75 * p95, 0.06 * strip.axis.length);
    const edges = [0, ...marks, above.length];
    const gap = Math.max(...edges.slice(1).map((e, i) => e - edges[i]!));
    if (gap > this.maxMarkGap * strip.axis.length) {
      return { visible: false, reason: 'no_pattern', detail: `${((gap / strip.axis.length) * 100).toFixed(0)}% of the gauge above the line has no painted mark (> ${(this.maxMarkGap * 100).toFixed(0)}%): not a painted gauge, or its marks are too fine for this resolution` };
    }
    return undefined;
  }

  private reading(axis: GaugeAxis, sLo: number, index: number, w: number, h: number, confidence: number, source: 'image' | 'mask'): GaugeReading {
    const s = sLo + index;
    const depthCm = Math.max(0, axis.cmAt(s));
    const { p } = axis.pointAt(s);
    return { visible: true, depthCm, waterline: [p[0] / w, p[1] / h], confidence: Math.max(0, Math.min(1, confidence)), source };
  }

  private imageStrip(image: ImageView): Strip | Extract<GaugeReading, { visible: false }> {
    const axis = this.gauge.inPixels(image.width, image.height);
    const sLo = -this.belowShare * axis.length;
    const n = Math.ceil(axis.length - sLo);
    const channels = image.format === 'gray' ? 1 : 3;
    const rows = new Float64Array(n * 3);
    const luma = new Float64Array(n);
    const half = axis.stripPx / 2;
    let inFrame = 0;
    let lumaSum = 0;
    for (let i = 0; i < n; i++) {
      const { p, dir } = axis.pointAt(sLo + i);
      let r = 0;
      let g = 0;
      let b = 0;
      let count = 0;
      for (let k = -half; k <= half; k += 1) {
        const x = Math.floor(p[0] - dir[1] * k);
        const y = Math.floor(p[1] + dir[0] * k);
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
        const o = (y * image.width + x) * channels;
        if (channels === 1) {
          r += image.data[o]!;
          g += image.data[o]!;
          b += image.data[o]!;
        } else {
          r += image.data[o]!;
          g += image.data[o + 1]!;
          b += image.data[o + 2]!;
        }
        count++;
      }
      if (count) {
        inFrame++;
        rows[i * 3] = r / count;
        rows[i * 3 + 1] = g / count;
        rows[i * 3 + 2] = b / count;
      }
      luma[i] = 0.299 * rows[i * 3]! + 0.587 * rows[i * 3 + 1]! + 0.114 * rows[i * 3 + 2]!;
      lumaSum += luma[i]!;
    }
    if (inFrame < 0.8 * n) return { visible: false, reason: 'out_of_frame', detail: 'the gauge strip lies mostly outside the frame: check the marks in the camera config' };
    // ~2% of the frame height: wider than a painted tick, narrower than the gauge's 10 cm divisions
    const window = Math.max(5, Math.round(image.height * 0.02)) | 1;
    return { axis, sLo, luma, filtered: runningMax(runningMedian(rows, 3, 3), 3, window), edgeShift: window >> 1, meanLuma: lumaSum / n, width: image.width, height: image.height };
  }
}

interface Strip {
  axis: GaugeAxis;
  sLo: number;
  /** Rows by which the filter moved the board's lower edge down (a running max grows light areas by half its window). */
  edgeShift: number;
  luma: Float64Array;
  filtered: Float64Array;
  meanLuma: number;
  width: number;
  height: number;
}

/** Centres of the runs of values below `dark`, at most `maxLen` long, with lighter values on both sides. */
function thinDarkBands(values: Float64Array, dark: number, maxLen: number): number[] {
  const bands: number[] = [];
  let start = -1;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < dark) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (start > 0 && i - start <= maxLen) bands.push((start + i) / 2);
      start = -1;
    }
  }
  return bands;
}

function medianOf(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1]!;
}

function runningMax(values: Float64Array, channels: number, window: number): Float64Array {
  const n = values.length / channels;
  const out = new Float64Array(values.length);
  const half = window >> 1;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) m = Math.max(m, values[j * channels + c]!);
      out[i * channels + c] = m;
    }
  }
  return out;
}

function runningMedian(values: Float64Array, channels: number, window: number): Float64Array {
  const n = values.length / channels;
  const out = new Float64Array(values.length);
  const half = window >> 1;
  const buf: number[] = [];
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < n; i++) {
      buf.length = 0;
      for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) buf.push(values[j * channels + c]!);
      buf.sort((a, b) => a - b);
      out[i * channels + c] = buf[buf.length >> 1]!;
    }
  }
  return out;
}

/** Two-segment least-squares fit of a multi-channel profile: the index where "above" begins. */
export function bestSplit(values: Float64Array, channels: number): { index: number; meanBelow: number[]; meanAbove: number[] } {
  const n = values.length / channels;
  const sum = new Float64Array((n + 1) * channels);
  const sq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    let s2 = 0;
    for (let c = 0; c < channels; c++) {
      const v = values[i * channels + c]!;
      sum[(i + 1) * channels + c] = sum[i * channels + c]! + v;
      s2 += v * v;
    }
    sq[i + 1] = sq[i]! + s2;
  }
  const sse = (a: number, b: number) => {
    let total = sq[b]! - sq[a]!;
    for (let c = 0; c < channels; c++) {
      const s = sum[b * channels + c]! - sum[a * channels + c]!;
      total -= (s * s) / (b - a);
    }
    return total;
  };
  let best = 1;
  let bestCost = Infinity;
  for (let i = 1; i < n; i++) {
    const cost = sse(0, i) + sse(i, n);
    if (cost < bestCost) {
      bestCost = cost;
      best = i;
    }
  }
  const mean = (a: number, b: number) => Array.from({ length: channels }, (_, c) => (sum[b * channels + c]! - sum[a * channels + c]!) / (b - a));
  return { index: best, meanBelow: mean(0, best), meanAbove: mean(best, n) };
}

const colourDistance = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
