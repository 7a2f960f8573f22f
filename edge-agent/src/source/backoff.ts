/**
 * Reconnect delays: exponential with jitter, so a camera that keeps failing is retried less and less
 * often (never a tight loop) and many cameras behind one failed switch do not reconnect in lockstep.
 * The attempt count resets only after the stream has delivered frames for `healthyAfterMs`, so a
 * camera that dies right after each connect still backs off.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Share of each delay that is random: 0.5 gives delays in [d/2, d]. */
  jitter?: number;
  healthyAfterMs?: number;
  random?: () => number;
}

export class ReconnectBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly healthyAfterMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.5;
    this.healthyAfterMs = options.healthyAfterMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call counts one failure. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    return Math.round(ceiling * (1 - this.jitter * this.random()));
  }

  /** Called when a run ends: a run that streamed long enough wipes the failure history. */
  runEnded(streamedForMs: number): void {
    if (streamedForMs >= this.healthyAfterMs) this.attempt = 0;
  }
}
