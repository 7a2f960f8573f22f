import type { FloodLevel } from '@vigil/contracts';

export interface LevelThresholds {
  watch: number;
  warning: number;
  danger: number;
}

const ORDER: FloodLevel[] = ['normal', 'watch', 'warning', 'danger'];

/**
 * Warning level with hysteresis: a level is entered when the depth reaches its threshold and left only
 * when the depth falls `hysteresisCm` below it, so a depth hovering at a threshold never flaps. Levels
 * may jump (a sudden surge goes normal -> danger in one step).
 */
export class FloodLevelTracker {
  private current: FloodLevel = 'normal';

  constructor(
    private readonly thresholds: LevelThresholds,
    private readonly hysteresisCm: number,
  ) {}

  get level(): FloodLevel {
    return this.current;
  }

  update(depthCm: number): FloodLevel {
    let index = ORDER.indexOf(this.current);
    while (index < 3 && depthCm >= this.threshold(ORDER[index + 1]!)) index++;
    while (index > 0 && depthCm < this.threshold(ORDER[index]!) - this.hysteresisCm) index--;
    this.current = ORDER[index]!;
    return this.current;
  }

  private threshold(level: FloodLevel): number {
    return level === 'normal' ? -Infinity : this.thresholds[level];
  }
}

/**
 * The depth series of one gauge: median over the last `window` samples (a ripple, a passing wave or a
 * misread frame moves the median little), and the rate of rise as the least-squares slope of the
 * smoothed depths over the last `rateWindowMs`. Samples where the gauge could not be read count in the
 * window as gaps: when fewer than half of the window's samples were readable there is no depth (null),
 * so one stray reading among unreadable frames is not reported.
 */
export class DepthSeries {
  private readonly raw: (number | null)[] = [];
  private readonly smoothed: { at: number; cm: number }[] = [];

  constructor(
    private readonly window: number,
    private readonly rateWindowMs = 30 * 60_000,
  ) {}

  push(at: number, depthCm: number | null): number | null {
    this.raw.push(depthCm);
    if (this.raw.length > this.window) this.raw.shift();
    const readable = this.raw.filter((v): v is number => v !== null);
    if (readable.length * 2 < this.raw.length || readable.length === 0) return null;
    const cm = median(readable);
    this.smoothed.push({ at, cm });
    while (this.smoothed.length > 2 && this.smoothed[0]!.at < at - this.rateWindowMs) this.smoothed.shift();
    return cm;
  }

  /** cm per hour; undefined until two smoothed readings exist. */
  rateCmPerHour(): number | undefined {
    const pts = this.smoothed;
    if (pts.length < 2 || pts[pts.length - 1]!.at === pts[0]!.at) return undefined;
    const t0 = pts[0]!.at;
    const xs = pts.map((p) => (p.at - t0) / 3_600_000);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = pts.reduce((a, p) => a + p.cm, 0) / pts.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < pts.length; i++) {
      num += (xs[i]! - mx) * (pts[i]!.cm - my);
      den += (xs[i]! - mx) ** 2;
    }
    return den > 0 ? num / den : undefined;
  }
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
