import type { Segment } from '../../../geometry/index.js';
import type { TrackView } from '../track-history.js';
import { LineSides } from './line-crossing.js';
import type { FrameContext, TrafficRule, Violation } from './rule.js';

export interface RedLightOptions {
  stopLineId: string;
  /**
   * The stop line, drawn left to right as approaching traffic sees it: the junction is on the left of
   * first->second point on screen (for traffic driving up the image: first point left, second right).
   */
  stopLine: Segment;
  graceS: number;
  signalId?: string;
}

/**
 * red_light: a vehicle's ground point crosses the stop line into the junction while the signal is red
 * and has been for at least the grace period (a vehicle already committed when amber ended is not
 * fined). Amber, green and unknown never fire. Once per track: a U-turn back over the line and a
 * second entry is the same vehicle.
 */
export class RedLightRule implements TrafficRule {
  readonly name = 'red_light';
  private readonly sides: LineSides;
  private readonly fired = new Set<number>();

  constructor(private readonly opt: RedLightOptions) {
    this.sides = new LineSides(opt.stopLine);
  }

  observe(tracks: readonly TrackView[], ctx: FrameContext): Violation[] {
    const out: Violation[] = [];
    for (const t of tracks) {
      if (t.cls === 'person') continue;
      const crossing = this.sides.observe(t, ctx.at);
      if (!crossing || crossing.to !== -1 || this.fired.has(t.id)) continue;
      const signal = ctx.signalAt(crossing.at);
      if (signal.phase !== 'red' || signal.secondsIntoRed < this.opt.graceS) continue;
      this.fired.add(t.id);
      out.push({
        type: 'red_light',
        phase: 'start',
        incidentKey: `red_light:${t.id}`,
        trackId: t.id,
        cls: t.cls,
        box: t.box,
        at: ctx.at,
        startedAt: crossing.at,
        zone: this.opt.stopLineId,
        score: t.score,
        attributes: {
          signal_phase: 'red',
          seconds_into_red: round2(signal.secondsIntoRed),
          stop_line: this.opt.stopLineId,
          ...(this.opt.signalId ? { signal: this.opt.signalId } : {}),
        },
      });
    }
    return out;
  }

  forget(trackId: number): Violation[] {
    this.sides.forget(trackId);
    this.fired.delete(trackId);
    return [];
  }
}

export const round2 = (v: number) => Math.round(v * 100) / 100;
