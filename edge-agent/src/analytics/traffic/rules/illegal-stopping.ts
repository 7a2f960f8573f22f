import { distance, pointInPolygon, type Polygon } from '../../../geometry/index.js';
import { pointAgo, type TrackView } from '../track-history.js';
import { round2 } from './red-light.js';
import type { FrameContext, TrafficRule, Violation } from './rule.js';

export interface NoStoppingZone {
  id: string;
  polygon: Polygon;
}

export interface IllegalStoppingOptions {
  maxStoppedS: number;
  /** Stillness is judged over this window: the ground point moved less than ... */
  stillWindowMs?: number;
  /** ... this share of the box height (a parked car's box still jitters a little). */
  stillBoxShare?: number;
}

interface Stop {
  zone: string;
  since: number;
  /** Last frame the vehicle was seen still (the end of the stop). */
  lastStill: TrackView;
  lastStillAt: number;
  open: boolean;
}

/**
 * illegal_stopping: a vehicle standing still inside a no_stopping zone longer than the limit. It is an
 * incident with a duration: 'start' when the limit is passed, 'end' when the vehicle moves off,
 * leaves the zone or is lost, with the total time it stood still.
 */
export class IllegalStoppingRule implements TrafficRule {
  readonly name = 'illegal_stopping';
  private readonly stops = new Map<number, Stop>();
  private readonly windowMs: number;
  private readonly boxShare: number;

  constructor(
    private readonly zones: readonly NoStoppingZone[],
    private readonly opt: IllegalStoppingOptions,
  ) {
    this.windowMs = opt.stillWindowMs ?? 1500;
    this.boxShare = opt.stillBoxShare ?? 0.1;
  }

  observe(tracks: readonly TrackView[], ctx: FrameContext): Violation[] {
    const out: Violation[] = [];
    for (const t of tracks) {
      if (t.cls === 'person') continue;
      const zone = this.zones.find((z) => pointInPolygon(t.point, z.polygon));
      const earlier = pointAgo(t.history, this.windowMs);
      const still = zone && earlier && distance(earlier.point, t.point) < Math.max(0.002, this.boxShare * (t.box.y2 - t.box.y1)) ? zone : undefined;
      let stop = this.stops.get(t.id);
      if (stop && stop.zone !== still?.id) {
        this.stops.delete(t.id);
        if (stop.open) out.push(end(stop));
        stop = undefined;
      }
      if (!still || !earlier) continue;
      stop ??= { zone: still.id, since: earlier.at, lastStill: t, lastStillAt: ctx.at, open: false };
      stop.lastStill = t;
      stop.lastStillAt = ctx.at;
      this.stops.set(t.id, stop);
      if (!stop.open && (ctx.at - stop.since) / 1000 >= this.opt.maxStoppedS) {
        stop.open = true;
        out.push(violation(stop, 'start', ctx.at));
      }
    }
    return out;
  }

  forget(trackId: number): Violation[] {
    const stop = this.stops.get(trackId);
    this.stops.delete(trackId);
    return stop?.open ? [end(stop)] : [];
  }
}

function end(stop: Stop): Violation {
  return violation(stop, 'end', stop.lastStillAt);
}

function violation(stop: Stop, phase: 'start' | 'end', at: number): Violation {
  const t = stop.lastStill;
  return {
    type: 'illegal_stopping',
    phase,
    incidentKey: `illegal_stopping:${t.id}:${stop.since}`,
    ends: true,
    trackId: t.id,
    cls: t.cls,
    box: t.box,
    at,
    startedAt: stop.since,
    zone: stop.zone,
    score: t.score,
    attributes: { stopped_s: round2((at - stop.since) / 1000) },
  };
}
