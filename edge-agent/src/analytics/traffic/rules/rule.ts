import type { EventOf } from '@vigil/contracts';
import type { BoxLike } from '../../../geometry/index.js';
import type { RoadClass } from '../../../track/index.js';
import type { SignalReading } from '../signal/signal-state.js';
import type { TrackView } from '../track-history.js';

export type TrafficEventType = 'red_light' | 'wrong_way' | 'illegal_stopping' | 'lane_violation' | 'speeding';

interface ViolationBase {
  /** 'start' opens an incident; 'end' closes one (only rules with a duration, like illegal_stopping). */
  phase: 'start' | 'end';
  /** Same key for the start and end of one incident. */
  incidentKey: string;
  /** On a start: an end will follow (the incident has a duration). Instant violations have no end. */
  ends?: boolean;
  trackId: number;
  cls: RoadClass;
  box: BoxLike;
  /** Frame time the violation was judged at (ms). */
  at: number;
  /** When the incident started (ms). */
  startedAt: number;
  /** Zone or line id from the camera config. */
  zone?: string;
  score: number;
}

/** What a rule reports: an event minus the envelope, with the type's own attributes. */
export type Violation = {
  [K in TrafficEventType]: ViolationBase & { type: K; attributes: Omit<EventOf<K>['attributes'], 'vehicle_class'> };
}[TrafficEventType];

/** What the rules know about the frame besides the tracks. */
export interface FrameContext {
  at: number;
  signal: SignalReading;
  /** Signal phase at an earlier instant (a crossing between two frames is judged at its own time). */
  signalAt(at: number): SignalReading;
  /** Ground speed of a track, when a speed calibration is configured and the path is long enough. */
  speedKmh(trackId: number): number | undefined;
}

/** One traffic rule on tracks. Rules keep per-track state and free it in `forget`. */
export interface TrafficRule {
  readonly name: string;
  observe(tracks: readonly TrackView[], ctx: FrameContext): Violation[];
  /** The track is gone (left or lost): close any open incident and drop its state. */
  forget(trackId: number, ctx: FrameContext): Violation[];
}
