import type { Polygon } from '../../../geometry/index.js';
import { LampClassifier, type LampClassifierOptions, type LampColour, type RgbImage } from './lamp-colour.js';
import { SignalTimeline, type PhaseChange, type SignalPhase, type SignalReading, type SignalStateSource } from './signal-state.js';

export interface VideoSignalOptions extends LampClassifierOptions {
  /** Majority vote over this much recent video (LED flicker and a passing headlight are outvoted). */
  windowMs?: number;
  /** No lit lamp for this long: the phase is unknown (head dark, occluded or out of view). */
  darkMs?: number;
}

/**
 * The signal phase read from the video: a lamp colour per frame from the `signal` zone, then a
 * majority over a short window of frames where a lamp was lit. Frames where the lamp looks off are
 * skipped, not counted against the phase, because LEDs beat with the camera shutter and drop out
 * for single frames. A change is dated to the first frame of the new colour, not to the moment the
 * vote turned, so "seconds into red" does not lag by the smoothing window.
 */
export class VideoSignalSource implements SignalStateSource {
  private readonly classifier: LampClassifier;
  private readonly timeline = new SignalTimeline();
  private readonly recent: { at: number; colour: LampColour }[] = [];
  private readonly windowMs: number;
  private readonly darkMs: number;
  private lastLitAt = -Infinity;

  constructor(roi: Polygon, options: VideoSignalOptions = {}) {
    this.classifier = new LampClassifier(roi, options);
    this.windowMs = options.windowMs ?? 1000;
    this.darkMs = options.darkMs ?? 3000;
  }

  /** Reads one frame taken at `at` (ms); returns the phase in force after it. */
  observe(image: RgbImage, at: number): SignalPhase {
    const { colour } = this.classifier.classify(image);
    this.recent.push({ at, colour });
    while (this.recent.length && at - this.recent[0]!.at > this.windowMs) this.recent.shift();
    if (colour !== 'off') this.lastLitAt = at;

    const current = this.timeline.phaseAt(at).phase;
    if (at - this.lastLitAt > this.darkMs) {
      if (current !== 'unknown') this.timeline.record(at, 'unknown');
      return 'unknown';
    }
    const votes = new Map<SignalPhase, number>();
    for (const r of this.recent) if (r.colour !== 'off') votes.set(r.colour, (votes.get(r.colour) ?? 0) + 1);
    let winner: SignalPhase = current;
    let best = current === 'unknown' ? 0 : (votes.get(current) ?? 0);
    for (const [phase, n] of votes) if (n > best) [winner, best] = [phase, n];
    if (winner !== current) {
      const first = this.firstOfRun(winner);
      const lastChange = this.timeline.changes().at(-1)?.at ?? -Infinity;
      this.timeline.record(Math.max(first, lastChange), winner);
    }
    return winner;
  }

  phaseAt(at: number): SignalReading {
    return this.timeline.phaseAt(at);
  }

  changes(): readonly PhaseChange[] {
    return this.timeline.changes();
  }

  async close(): Promise<void> {}

  /** Time of the earliest frame of the latest unbroken run of `phase` in the window (off frames do not break it). */
  private firstOfRun(phase: SignalPhase): number {
    let first = this.recent.at(-1)!.at;
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const r = this.recent[i]!;
      if (r.colour === phase) first = r.at;
      else if (r.colour !== 'off') break;
    }
    return first;
  }
}
