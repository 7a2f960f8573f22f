import { distance, Homography, type Point } from '../../../geometry/index.js';
import { pointAgo, type TrackView } from '../track-history.js';
import { round2 } from './red-light.js';
import type { FrameContext, TrafficRule, Violation } from './rule.js';

export interface SpeedCalibration {
  /** Four image points (normalised) of a rectangle on the road ... */
  image: readonly Point[];
  /** ... and the same four points on the ground, in metres. */
  groundM: readonly Point[];
}

/**
 * Ground speed of tracks from a 4-point homography: distance on the ground between the ground point
 * now and about `windowMs` ago. A shorter window turns box jitter into speed noise.
 */
export class SpeedEstimator {
  private readonly h: Homography;
  constructor(
    calibration: SpeedCalibration,
    private readonly windowMs = 1000,
  ) {
    this.h = Homography.fromPoints(calibration.image, calibration.groundM);
  }

  speedKmh(t: TrackView): number | undefined {
    const earlier = pointAgo(t.history, this.windowMs);
    const now = t.history.at(-1);
    if (!earlier || !now || now.at === earlier.at) return undefined;
    const metres = distance(this.h.apply(earlier.point), this.h.apply(now.point));
    return (metres / ((now.at - earlier.at) / 1000)) * 3.6;
  }
}

/** speeding: over the limit for `sustainMs` in a row (one fast reading is a tracker glitch). Once per track. */
export class SpeedingRule implements TrafficRule {
  readonly name = 'speeding';
  private readonly overSince = new Map<number, { since: number; max: number }>();
  private readonly fired = new Set<number>();

  constructor(
    private readonly limitKmh: number,
    private readonly sustainMs = 1000,
  ) {}

  observe(tracks: readonly TrackView[], ctx: FrameContext): Violation[] {
    const out: Violation[] = [];
    for (const t of tracks) {
      if (t.cls === 'person' || this.fired.has(t.id)) continue;
      const v = ctx.speedKmh(t.id);
      if (v === undefined || v <= this.limitKmh) {
        this.overSince.delete(t.id);
        continue;
      }
      const over = this.overSince.get(t.id) ?? { since: ctx.at, max: v };
      over.max = Math.max(over.max, v);
      this.overSince.set(t.id, over);
      if (ctx.at - over.since < this.sustainMs) continue;
      this.fired.add(t.id);
      out.push({
        type: 'speeding',
        phase: 'start',
        incidentKey: `speeding:${t.id}`,
        trackId: t.id,
        cls: t.cls,
        box: t.box,
        at: ctx.at,
        startedAt: over.since,
        score: t.score,
        attributes: { speed_kmh: round2(over.max), limit_kmh: this.limitKmh },
      });
    }
    return out;
  }

  forget(trackId: number): Violation[] {
    this.overSince.delete(trackId);
    this.fired.delete(trackId);
    return [];
  }
}
