export type SignalPhase = 'red' | 'amber' | 'green' | 'unknown';

/** The signal as a rule needs it at one instant. */
export interface SignalReading {
  phase: SignalPhase;
  /** When the current phase began (ms); undefined when the phase is unknown since start. */
  since: number | undefined;
  /** Seconds since the light turned red; 0 when it is not red. */
  secondsIntoRed: number;
}

/** Where the signal phase comes from: the video (a signal ROI) or the signal controller over MQTT. */
export interface SignalStateSource {
  /** The phase in force at time `at` (ms), from the phase changes recorded so far. */
  phaseAt(at: number): SignalReading;
  /** Phase changes recorded, oldest first. */
  changes(): readonly PhaseChange[];
  close(): Promise<void>;
}

export interface PhaseChange {
  at: number;
  phase: SignalPhase;
}

/**
 * Phase changes with their times, so "seconds into red" can be answered for any recent instant (a
 * crossing is often judged a frame or two after it happened). Bounded: old changes are dropped.
 */
export class SignalTimeline {
  private readonly list: PhaseChange[] = [];
  constructor(private readonly maxChanges = 256) {}

  /** Records `phase` from `at` on; a repeat of the current phase is ignored. */
  record(at: number, phase: SignalPhase): boolean {
    const last = this.list.at(-1);
    if (last && last.phase === phase) return false;
    if (last && at < last.at) throw new RangeError(`signal phase change at ${at} is older than the last one (${last.at}); changes must come in time order`);
    this.list.push({ at, phase });
    if (this.list.length > this.maxChanges) this.list.shift();
    return true;
  }

  phaseAt(at: number): SignalReading {
    let i = this.list.length - 1;
    while (i >= 0 && this.list[i]!.at > at) i--;
    if (i < 0) return { phase: 'unknown', since: undefined, secondsIntoRed: 0 };
    const c = this.list[i]!;
    return { phase: c.phase, since: c.at, secondsIntoRed: c.phase === 'red' ? (at - c.at) / 1000 : 0 };
  }

  changes(): readonly PhaseChange[] {
    return this.list;
  }
}

/** A timeline fed directly (replay files, tests): the simplest SignalStateSource. */
export class RecordedSignal implements SignalStateSource {
  readonly timeline = new SignalTimeline(100_000);
  phaseAt(at: number): SignalReading {
    return this.timeline.phaseAt(at);
  }
  changes(): readonly PhaseChange[] {
    return this.timeline.changes();
  }
  async close(): Promise<void> {}
}
