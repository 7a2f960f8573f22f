import { pointInPolygon, type Point, type Polygon } from '../../../geometry/index.js';
import type { TrackView } from '../track-history.js';
import { round2 } from './red-light.js';
import type { FrameContext, TrafficRule, Violation } from './rule.js';

export interface LaneDirection {
  id: string;
  polygon: Polygon;
  direction: Point;
}

// The frame diagonal in normalised coordinates.
const DIAGONAL = Math.SQRT2;

/**
 * wrong_way: inside a lane, how far a track has gone back against the lane direction since its
 * furthest point along it. A jittery or briefly reversing box (a U-turn that leaves the lane) stays
 * under the threshold; a rider going against traffic for the configured distance fires, once per
 * track and lane.
 */
export class WrongWayRule implements TrafficRule {
  readonly name = 'wrong_way';
  private readonly lanes: { id: string; polygon: Polygon; unit: Point }[];
  private readonly progress = new Map<string, { furthest: number }>();
  private readonly fired = new Set<string>();

  constructor(
    lanes: readonly LaneDirection[],
    private readonly minDistanceRatio: number,
  ) {
    this.lanes = lanes.map((l) => {
      const len = Math.hypot(l.direction[0], l.direction[1]);
      if (len === 0) throw new RangeError(`lane ${l.id}: direction [0, 0] has no direction; give the travel direction as [dx, dy]`);
      return { id: l.id, polygon: l.polygon, unit: [l.direction[0] / len, l.direction[1] / len] as const };
    });
  }

  observe(tracks: readonly TrackView[], ctx: FrameContext): Violation[] {
    const out: Violation[] = [];
    for (const t of tracks) {
      if (t.cls === 'person') continue;
      for (const lane of this.lanes) {
        const key = `${t.id}:${lane.id}`;
        if (!pointInPolygon(t.point, lane.polygon)) {
          this.progress.delete(key);
          continue;
        }
        const along = t.point[0] * lane.unit[0] + t.point[1] * lane.unit[1];
        const p = this.progress.get(key) ?? { furthest: along };
        p.furthest = Math.max(p.furthest, along);
        this.progress.set(key, p);
        const ratio = (p.furthest - along) / DIAGONAL;
        if (ratio < this.minDistanceRatio || this.fired.has(key)) continue;
        this.fired.add(key);
        out.push({
          type: 'wrong_way',
          phase: 'start',
          incidentKey: `wrong_way:${key}`,
          trackId: t.id,
          cls: t.cls,
          box: t.box,
          at: ctx.at,
          startedAt: ctx.at,
          zone: lane.id,
          score: t.score,
          attributes: { lane: lane.id, distance_ratio: round2(Math.min(1, ratio)) },
        });
      }
    }
    return out;
  }

  forget(trackId: number): Violation[] {
    for (const key of [...this.progress.keys()]) if (key.startsWith(`${trackId}:`)) this.progress.delete(key);
    for (const key of [...this.fired]) if (key.startsWith(`${trackId}:`)) this.fired.delete(key);
    return [];
  }
}
