import type { Clock } from '@vigil/observe';

/**
 * Fires once when `feed()` has not been called for `limitMs` (config health.stall_s). A stream can
 * hang without ffmpeg exiting (a camera that keeps the TCP session open but sends nothing), so the
 * source cannot rely on ffmpeg's own timeouts alone.
 */
export class StallWatchdog {
  private timer: { cancel(): void } | undefined;
  constructor(
    private readonly clock: Clock,
    private readonly limitMs: number,
    private readonly onStall: () => void,
  ) {}

  /** Restarts the countdown; `extraMs` lengthens this one countdown (the first frame of a connection). */
  feed(extraMs = 0): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.onStall();
    }, this.limitMs + extraMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
