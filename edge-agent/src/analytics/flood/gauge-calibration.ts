import { VigilError, type GaugeConfig } from '@vigil/contracts';
import type { Point } from '../../geometry/index.js';

/**
 * Maps a position along a gauge to a height in cm. The marks (normalised image points of known
 * height) are joined into a polyline from the lowest mark to the highest; a position is its arc length
 * along that polyline in pixels, so perspective (marks further apart near the camera) is absorbed
 * piecewise: linear between neighbouring marks, extrapolated with the end segments beyond them.
 */
export class GaugeCalibration {
  readonly id: string;
  /** Strip width around the gauge line, as a share of frame width. */
  readonly width: number;
  private readonly marks: { at: Point; cm: number }[];

  constructor(gauge: GaugeConfig) {
    this.id = gauge.id;
    this.width = gauge.width;
    this.marks = [...gauge.marks].sort((a, b) => a.cm - b.cm).map((m) => ({ at: [m.at[0], m.at[1]] as Point, cm: m.cm }));
    if (this.marks.length < 2) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `gauge ${gauge.id}: needs at least two marks of known height; add a second mark (see docs/calibration.md)`);
    for (let i = 1; i < this.marks.length; i++) {
      const [a, b] = [this.marks[i - 1]!, this.marks[i]!];
      if (a.cm === b.cm) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `gauge ${gauge.id}: two marks have the same height ${a.cm} cm; each mark needs its own height`);
      if (a.at[0] === b.at[0] && a.at[1] === b.at[1]) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `gauge ${gauge.id}: marks ${a.cm} cm and ${b.cm} cm sit on the same image point; mark them where they are painted`);
    }
  }

  get lowestCm(): number {
    return this.marks[0]!.cm;
  }

  get highestCm(): number {
    return this.marks[this.marks.length - 1]!.cm;
  }

  /** The gauge in pixels for one frame size: positions along it and their heights. */
  inPixels(frameWidth: number, frameHeight: number): GaugeAxis {
    return new GaugeAxis(
      this.marks.map((m) => ({ at: [m.at[0] * frameWidth, m.at[1] * frameHeight] as Point, cm: m.cm })),
      Math.max(3, this.width * frameWidth),
    );
  }
}

/** A calibrated gauge at one frame size; positions `s` are pixels of arc length from the lowest mark (negative below it). */
export class GaugeAxis {
  /** Arc length of each mark from the lowest one. */
  private readonly s: number[];

  constructor(
    private readonly marks: { at: Point; cm: number }[],
    readonly stripPx: number,
  ) {
    this.s = [0];
    for (let i = 1; i < marks.length; i++) this.s.push(this.s[i - 1]! + dist(marks[i - 1]!.at, marks[i]!.at));
  }

  get length(): number {
    return this.s[this.s.length - 1]!;
  }

  cmAt(s: number): number {
    const i = this.segmentOf(s);
    const [s0, s1] = [this.s[i]!, this.s[i + 1]!];
    const [c0, c1] = [this.marks[i]!.cm, this.marks[i + 1]!.cm];
    return c0 + ((s - s0) / (s1 - s0)) * (c1 - c0);
  }

  sAtCm(cm: number): number {
    let i = 0;
    while (i < this.marks.length - 2 && cm > this.marks[i + 1]!.cm) i++;
    const [c0, c1] = [this.marks[i]!.cm, this.marks[i + 1]!.cm];
    return this.s[i]! + ((cm - c0) / (c1 - c0)) * (this.s[i + 1]! - this.s[i]!);
  }

  /** Pixel point at arc length s, and the unit direction of the gauge there (pointing up the gauge). */
  pointAt(s: number): { p: Point; dir: Point } {
    const i = this.segmentOf(s);
    const a = this.marks[i]!.at;
    const b = this.marks[i + 1]!.at;
    const len = this.s[i + 1]! - this.s[i]!;
    const dir: Point = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
    const t = s - this.s[i]!;
    return { p: [a[0] + dir[0] * t, a[1] + dir[1] * t], dir };
  }

  private segmentOf(s: number): number {
    let i = 0;
    while (i < this.s.length - 2 && s > this.s[i + 1]!) i++;
    return i;
  }
}

const dist = (a: Point, b: Point) => Math.hypot(b[0] - a[0], b[1] - a[1]);
