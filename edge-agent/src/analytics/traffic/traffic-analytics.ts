import { VigilError, type CameraConfig, type EvidenceRef, type VigilEvent } from '@vigil/contracts';
import type { Point, Segment } from '../../geometry/index.js';
import { IllegalStoppingRule } from './rules/illegal-stopping.js';
import { LaneViolationRule, type RestrictedZone } from './rules/lane-violation.js';
import { LineCounter, type LineCount } from './rules/line-counter.js';
import { RedLightRule } from './rules/red-light.js';
import type { FrameContext, TrafficRule, Violation } from './rules/rule.js';
import { SpeedEstimator, SpeedingRule } from './rules/speed.js';
import { WrongWayRule } from './rules/wrong-way.js';
import type { SignalReading, SignalStateSource } from './signal/signal-state.js';
import { TrafficEventBuilder, type TrafficEventSource } from './traffic-events.js';
import { TrackHistory, type TrackObservation, type TrackView } from './track-history.js';

/** A violation with what the event needs besides it. */
export interface Judgement {
  violation: Violation;
  speedKmh: number | undefined;
  /** The track's path up to the violation (for evidence drawing). */
  path: TrackView['history'];
  /** The signal when the violation happened (drawn on every evidence frame). */
  signal: SignalReading;
}

// A sidewalk without allowed_classes is for people on foot.
const SIDEWALK_DEFAULT: RestrictedZone['allowed'] = ['person'];

/**
 * The traffic analytics of one camera: track paths, the signal, and the rules its config asks for.
 * Frame in (tracks at a time), judgements out; events are built from judgements once their evidence
 * is ready (or at once, without evidence, in replay).
 */
export class TrafficAnalytics {
  readonly rules: TrafficRule[] = [];
  readonly counter: LineCounter;
  private readonly history = new TrackHistory();
  private readonly speed: SpeedEstimator | undefined;
  private readonly builder: TrafficEventBuilder;
  private speeds = new Map<number, number>();
  private lastAt = -Infinity;

  constructor(
    readonly camera: CameraConfig,
    private readonly signal: SignalStateSource | undefined,
    events: Omit<TrafficEventSource, 'camera'>,
  ) {
    const traffic = camera.analytics.traffic;
    if (!traffic) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${camera.id} has no analytics.traffic section; add one to run the traffic rules`);
    this.builder = new TrafficEventBuilder({ ...events, camera: camera.id });
    const line = (id: string): Segment => {
      const l = camera.lines.find((x) => x.id === id);
      if (!l) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${camera.id}: line "${id}" is not among its lines; run \`vigil config check\``);
      return [l.points[0] as Point, l.points[1] as Point];
    };

    if (traffic.red_light) {
      if (!signal) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${camera.id}: red_light needs a signal source (analytics.traffic.signal or signal_topic)`);
      this.rules.push(new RedLightRule({ stopLineId: traffic.red_light.stop_line, stopLine: line(traffic.red_light.stop_line), graceS: traffic.red_light.grace_s, ...(traffic.signal ? { signalId: traffic.signal } : {}) }));
    }
    const lanes = camera.zones.filter((z) => z.kind === 'lane' && z.direction);
    if (lanes.length) this.rules.push(new WrongWayRule(lanes.map((z) => ({ id: z.id, polygon: z.polygon as Point[], direction: z.direction as Point })), traffic.wrong_way_min_distance));
    const noStopping = camera.zones.filter((z) => z.kind === 'no_stopping');
    if (noStopping.length) this.rules.push(new IllegalStoppingRule(noStopping.map((z) => ({ id: z.id, polygon: z.polygon as Point[] })), { maxStoppedS: traffic.stopping_max_s }));
    const restricted: RestrictedZone[] = [];
    for (const z of camera.zones) {
      if (z.kind === 'sidewalk') restricted.push({ id: z.id, kind: 'sidewalk', polygon: z.polygon as Point[], allowed: z.allowed_classes ?? SIDEWALK_DEFAULT });
      else if (z.kind === 'lane' && z.allowed_classes) restricted.push({ id: z.id, kind: 'lane', polygon: z.polygon as Point[], allowed: z.allowed_classes });
    }
    if (restricted.length) this.rules.push(new LaneViolationRule(restricted));
    if (traffic.speed) {
      this.speed = new SpeedEstimator({ image: traffic.speed.image as Point[], groundM: traffic.speed.ground_m as Point[] });
      this.rules.push(new SpeedingRule(traffic.speed.limit_kmh));
    }
    this.counter = new LineCounter(traffic.count_lines.map((id) => ({ id, points: line(id) })));
    this.rules.push(this.counter);
  }

  /** One frame's tracks at time `at` (ms, increasing). */
  observe(tracks: readonly TrackObservation[], at: number): Judgement[] {
    if (at < this.lastAt) throw new RangeError(`traffic frame at ${at} ms is older than the previous one (${this.lastAt} ms); frames must come in time order`);
    this.lastAt = at;
    const { views, gone } = this.history.observe(tracks, at);
    this.speeds = new Map();
    if (this.speed) {
      for (const t of views) {
        const v = this.speed.speedKmh(t);
        if (v !== undefined) this.speeds.set(t.id, v);
      }
    }
    const ctx = this.context(at);
    const out: Judgement[] = [];
    for (const rule of this.rules) for (const v of rule.observe(views, ctx)) out.push(this.judge(v));
    for (const id of gone) out.push(...this.forget(id, ctx));
    return out;
  }

  /** End of input: every live track is gone (closes open incidents). */
  finish(): Judgement[] {
    const ctx = this.context(this.lastAt);
    return this.history.ids().flatMap((id) => this.forget(id, ctx));
  }

  event(j: Judgement, evidence: EvidenceRef[] = []): VigilEvent {
    return this.builder.build(j.violation, { ...(j.speedKmh !== undefined ? { speedKmh: j.speedKmh } : {}), evidence });
  }

  /** Incidents started and not yet ended (illegal stopping in progress). */
  openIncidents(): number {
    return this.builder.openIncidents();
  }

  takeCounts(): LineCount[] {
    return this.counter.takeCounts();
  }

  private forget(id: number, ctx: FrameContext): Judgement[] {
    const out = this.rules.flatMap((r) => r.forget(id, ctx)).map((v) => this.judge(v));
    this.history.clear(id);
    return out;
  }

  private judge(v: Violation): Judgement {
    return { violation: v, speedKmh: this.speeds.get(v.trackId), path: [...this.history.path(v.trackId)], signal: this.signalAt(v.startedAt) };
  }

  private signalAt(t: number): SignalReading {
    return this.signal?.phaseAt(t) ?? { phase: 'unknown', since: undefined, secondsIntoRed: 0 };
  }

  private context(at: number): FrameContext {
    return { at, signal: this.signalAt(at), signalAt: (t) => this.signalAt(t), speedKmh: (id) => this.speeds.get(id) };
  }
}
