import { projectionParameter, signedDistance, type Segment } from '../../../geometry/index.js';
import type { TrackView } from '../track-history.js';

export interface Crossing {
  /** Side left: +1 = right of the line's first->second point on screen, -1 = left. */
  from: 1 | -1;
  to: 1 | -1;
  /** Interpolated time the ground point crossed the line (ms). */
  at: number;
}

interface SideState {
  side: 1 | -1;
  /** Last observation on the decided side. */
  lastSame: { d: number; at: number };
  /** First observation past the line since then (not yet clearly past). */
  firstPast?: { d: number; at: number };
}

/**
 * Which side of a line each track is on, with hysteresis: a track changes side only when its ground
 * point is clearly past the line (a share of its own box height), so a jittery box sitting on the line
 * never "crosses" back and forth. Crossings outside the segment's extent are ignored. The crossing time
 * is interpolated between the last point before the line and the first one past it.
 */
export class LineSides {
  private readonly state = new Map<number, SideState>();

  constructor(
    readonly segment: Segment,
    private readonly margin = { boxShare: 0.15, min: 0.004 },
    private readonly extentSlack = 0.05,
  ) {}

  observe(t: TrackView, at: number): Crossing | undefined {
    const d = signedDistance(t.point, this.segment);
    const margin = Math.max(this.margin.min, this.margin.boxShare * (t.box.y2 - t.box.y1));
    const s = this.state.get(t.id);
    const raw: 1 | -1 = d > 0 ? 1 : -1;
    if (!s) {
      if (Math.abs(d) >= margin) this.state.set(t.id, { side: raw, lastSame: { d, at } });
      return undefined;
    }
    if (raw === s.side) {
      s.lastSame = { d, at };
      delete s.firstPast;
      return undefined;
    }
    s.firstPast ??= { d, at };
    if (Math.abs(d) < margin) return undefined;
    const from = s.side;
    const a = s.lastSame;
    const b = s.firstPast;
    this.state.set(t.id, { side: raw, lastSame: { d, at } });
    const u = projectionParameter(t.point, this.segment);
    if (u < -this.extentSlack || u > 1 + this.extentSlack) return undefined;
    const crossAt = a.at + ((b.at - a.at) * Math.abs(a.d)) / (Math.abs(a.d) + Math.abs(b.d) || 1);
    return { from, to: raw, at: Math.round(crossAt) };
  }

  forget(id: number): void {
    this.state.delete(id);
  }
}
