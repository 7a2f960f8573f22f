import { pointInPolygon, type Polygon } from '../../../geometry/index.js';

/** Packed rgb24 pixels, row by row (the edge agent's decoded Frame fits this). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type LampColour = 'red' | 'amber' | 'green' | 'off';

export interface LampReading {
  colour: LampColour;
  /** Share of the ROI's pixels counted as lit lamp of that colour. */
  litShare: number;
  /** Median brightness of the ROI (0..1): the housing and background. */
  background: number;
}

export interface LampClassifierOptions {
  /** A lamp must be this much brighter (0..1 value) than the ROI median to count as lit. */
  minContrast?: number;
  /** Lit pixels need at least this saturation; the blown-out white core of a lamp carries no hue. */
  minSaturation?: number;
  /** Fewer lit pixels of the winning colour than this share of the ROI: the lamp is off. */
  minLitShare?: number;
}

/**
 * Which lamp of a signal head is lit in one frame. Brightness is judged relative to the ROI itself
 * (median vs the brightest pixels), not against a fixed level, so the same thresholds work at noon
 * and at night when the whole head is dark but the lamp still glows. Hue bands are wide because
 * cameras render LED green as cyan and amber as orange.
 */
export class LampClassifier {
  private mask: { width: number; height: number; index: Int32Array } | undefined;
  private readonly minContrast: number;
  private readonly minSaturation: number;
  private readonly minLitShare: number;

  constructor(
    private readonly roi: Polygon,
    options: LampClassifierOptions = {},
  ) {
    this.minContrast = options.minContrast ?? 0.15;
    this.minSaturation = options.minSaturation ?? 0.3;
    this.minLitShare = options.minLitShare ?? 0.02;
  }

  classify(image: RgbImage): LampReading {
    const index = this.pixelsOf(image);
    const n = index.length;
    if (n === 0) return { colour: 'off', litShare: 0, background: 0 };
    const v = new Float32Array(n);
    const d = image.data;
    for (let k = 0; k < n; k++) {
      const o = index[k]! * 3;
      v[k] = Math.max(d[o]!, d[o + 1]!, d[o + 2]!) / 255;
    }
    const sorted = Float32Array.from(v).sort();
    const median = sorted[n >> 1]!;
    const peak = sorted[Math.min(n - 1, Math.floor(n * 0.98))]!;
    if (peak - median < this.minContrast) return { colour: 'off', litShare: 0, background: median };
    // Lit = in the upper half between the background and the peak.
    const threshold = median + (peak - median) * 0.5;
    const votes = { red: 0, amber: 0, green: 0 };
    for (let k = 0; k < n; k++) {
      if (v[k]! < threshold) continue;
      const o = index[k]! * 3;
      const hue = hueOf(d[o]!, d[o + 1]!, d[o + 2]!, this.minSaturation);
      if (hue === undefined) continue;
      if (hue < 18 || hue >= 330) votes.red++;
      else if (hue < 65) votes.amber++;
      else if (hue >= 80 && hue < 200) votes.green++;
    }
    const [colour, count] = (Object.entries(votes) as [LampColour, number][]).reduce((a, b) => (b[1] > a[1] ? b : a));
    const litShare = count / n;
    return litShare < this.minLitShare ? { colour: 'off', litShare, background: median } : { colour, litShare, background: median };
  }

  /** Pixel indices inside the ROI polygon, computed once per frame size. */
  private pixelsOf(image: RgbImage): Int32Array {
    if (this.mask && this.mask.width === image.width && this.mask.height === image.height) return this.mask.index;
    const out: number[] = [];
    const xs = this.roi.map((p) => p[0]);
    const ys = this.roi.map((p) => p[1]);
    const x0 = Math.max(0, Math.floor(Math.min(...xs) * image.width));
    const x1 = Math.min(image.width - 1, Math.ceil(Math.max(...xs) * image.width));
    const y0 = Math.max(0, Math.floor(Math.min(...ys) * image.height));
    const y1 = Math.min(image.height - 1, Math.ceil(Math.max(...ys) * image.height));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (pointInPolygon([(x + 0.5) / image.width, (y + 0.5) / image.height], this.roi)) out.push(y * image.width + x);
      }
    }
    this.mask = { width: image.width, height: image.height, index: Int32Array.from(out) };
    return this.mask.index;
  }
}

/** Hue in degrees, or undefined for greys and near-whites. */
function hueOf(r: number, g: number, b: number, minSaturation: number): number | undefined {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const delta = max - min;
  if (max === 0 || delta / max < minSaturation) return undefined;
  let h: number;
  if (max === r) h = ((g - b) / delta) % 6;
  else if (max === g) h = (b - r) / delta + 2;
  else h = (r - g) / delta + 4;
  h *= 60;
  return h < 0 ? h + 360 : h;
}
