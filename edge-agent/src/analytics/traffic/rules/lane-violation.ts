import { pointInPolygon, type Polygon } from '../../../geometry/index.js';
import type { RoadClass } from '../../../track/index.js';
import type { TrackView } from '../track-history.js';
import type { FrameContext, TrafficRule, Violation } from './rule.js';

export interface RestrictedZone {
  id: string;
  kind: 'lane' | 'sidewalk';
  polygon: Polygon;
  allowed: readonly RoadClass[];
}

/**
 * lane_violation: a road user whose class is not allowed in a lane (a car in the motorbike lane) or
 * on a sidewalk, inside it for at least `dwellMs` (a box grazing the edge while changing lanes does
 * not count). Once per track and zone.
 */
export class LaneViolationRule implements TrafficRule {
  readonly name = 'lane_violation';
  private readonly inside = new Map<string, number>();
  private readonly fired = new Set<string>();

  constructor(
    private readonly zones: readonly RestrictedZone[],
    private readonly dwellMs = 1000,
  ) {}

  observe(tracks: readonly TrackView[], ctx: FrameContext): Violation[] {
    const out: Violation[] = [];
    for (const t of tracks) {
      for (const z of this.zones) {
        if (z.allowed.includes(t.cls)) continue;
        const key = `${t.id}:${z.id}`;
        if (!pointInPolygon(t.point, z.polygon)) {
          this.inside.delete(key);
          continue;
        }
        const since = this.inside.get(key) ?? ctx.at;
        this.inside.set(key, since);
        if (ctx.at - since < this.dwellMs || this.fired.has(key)) continue;
        this.fired.add(key);
        out.push({
          type: 'lane_violation',
          phase: 'start',
          incidentKey: `lane_violation:${key}`,
          trackId: t.id,
          cls: t.cls,
          box: t.box,
          at: ctx.at,
          startedAt: since,
          zone: z.id,
          score: t.score,
          attributes: { zone_kind: z.kind, allowed_classes: [...z.allowed] },
        });
      }
    }
    return out;
  }

  forget(trackId: number): Violation[] {
    for (const key of [...this.inside.keys()]) if (key.startsWith(`${trackId}:`)) this.inside.delete(key);
    for (const key of [...this.fired]) if (key.startsWith(`${trackId}:`)) this.fired.delete(key);
    return [];
  }
}
