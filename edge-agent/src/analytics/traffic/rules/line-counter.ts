import type { Segment } from '../../../geometry/index.js';
import type { RoadClass } from '../../../track/index.js';
import type { TrackView } from '../track-history.js';
import { LineSides } from './line-crossing.js';
import type { FrameContext, TrafficRule, Violation } from './rule.js';

export interface LineCount {
  line: string;
  class: RoadClass;
  count: number;
}

/**
 * Counts per line and class, both directions, each track once per line (a U-turn over the line or a
 * box jittering on it is one road user). Telemetry takes the counts per interval with `takeCounts`.
 */
export class LineCounter implements TrafficRule {
  readonly name = 'counts';
  private readonly lines: { id: string; sides: LineSides }[];
  private readonly counted = new Set<string>();
  private counts = new Map<string, LineCount>();

  constructor(lines: readonly { id: string; points: Segment }[]) {
    this.lines = lines.map((l) => ({ id: l.id, sides: new LineSides(l.points) }));
  }

  observe(tracks: readonly TrackView[], ctx: FrameContext): Violation[] {
    for (const t of tracks) {
      for (const l of this.lines) {
        if (!l.sides.observe(t, ctx.at)) continue;
        const key = `${t.id}:${l.id}`;
        if (this.counted.has(key)) continue;
        this.counted.add(key);
        const c = this.counts.get(`${l.id}:${t.cls}`) ?? { line: l.id, class: t.cls, count: 0 };
        c.count++;
        this.counts.set(`${l.id}:${t.cls}`, c);
      }
    }
    return [];
  }

  forget(trackId: number): Violation[] {
    for (const l of this.lines) {
      l.sides.forget(trackId);
      this.counted.delete(`${trackId}:${l.id}`);
    }
    return [];
  }

  /** Crossings since the last call, per line and class; resets the interval. */
  takeCounts(): LineCount[] {
    const out = [...this.counts.values()];
    this.counts = new Map();
    return out;
  }
}
