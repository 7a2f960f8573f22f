import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { VigilError } from '@vigil/contracts';
import { createLogger, systemClock, type Clock, type Logger, type Registry } from '@vigil/observe';
import { ReconnectBackoff } from './backoff.js';
import { buildFfmpegArgs, bytesPerFrame, inputKind, type FfmpegInput, type FfmpegOutput } from './ffmpeg-args.js';
import { findFfmpeg, type FfmpegBinary } from './ffmpeg-binary.js';
import type { Frame, FrameSource, SourceCounters, SourceStatus } from './frame.js';
import { LatestMailbox, type DeliveryMode } from './mailbox.js';
import { sourceMetrics, type SourceMetrics } from './metrics.js';
import { classifyFfmpegStderr, isDecodeErrorLine, redactCredentials, type ReasonFinding } from './stderr-reasons.js';
import { StallWatchdog } from './watchdog.js';

export interface FfmpegSourceOptions {
  camera: string;
  input: FfmpegInput;
  output: FfmpegOutput;
  /** No frame for this long: kill ffmpeg, report 'stalled' and reconnect (config health.stall_s). */
  stallS: number;
  /**
   * Extra time allowed for the first frame of each run on top of stallS: ffmpeg probes a stream for up
   * to 5 s (its default analyzeduration) before it decodes anything. Default 5000.
   */
  firstFrameGraceMs?: number;
  /** 'latest' (default): newest frame wins, older unread frames are dropped. 'every': ffmpeg waits for the reader. */
  delivery?: DeliveryMode;
  /** Stop at the end of the input, or at its first failure, instead of reconnecting. Default: files that do not loop. */
  endAtEof?: boolean;
  clock?: Clock;
  registry?: Registry;
  backoff?: ReconnectBackoff;
  ffmpeg?: FfmpegBinary;
  logger?: Logger;
}

type Item = { kind: 'frame'; frame: Frame } | { kind: 'end' } | { kind: 'error'; error: Error };

interface RunResult {
  code: number | null;
  stalled: boolean;
  frames: number;
  streamedMs: number;
  ranMs: number;
  stderr: string[];
  spawnError?: Error;
}

const STDERR_LINES_KEPT = 40;
let defaultLogger: Logger | undefined;

/**
 * A camera read through one ffmpeg process that decodes to raw frames at the detect size and rate.
 * ffmpeg's stdout is always drained in 'latest' mode, so a slow consumer never makes a live camera's
 * socket back up: the newest frame replaces the unread one (counted as dropped).
 */
export class FfmpegCameraSource implements FrameSource {
  readonly camera: string;
  private readonly options: FfmpegSourceOptions;
  private readonly clock: Clock;
  private readonly backoff: ReconnectBackoff;
  private readonly metrics: SourceMetrics | undefined;
  private readonly log: Logger;
  private readonly mailbox: LatestMailbox<Item>;
  private readonly frameBytes: number;
  private readonly endAtEof: boolean;
  private readonly offlineTimestamps: boolean;
  private readonly listeners: ((s: SourceStatus) => void)[] = [];
  private readonly spareBuffers: Buffer[] = [];
  private readonly count: SourceCounters = { decoded: 0, delivered: 0, dropped: 0, decodeErrors: 0, restarts: 0 };
  private current: SourceStatus;
  private child: ChildProcess | undefined;
  private started = false;
  private closed = false;
  private startedAt = 0;
  private sleeping: { cancel(): void; wake(): void } | undefined;
  private supervisor: Promise<void> | undefined;

  constructor(options: FfmpegSourceOptions) {
    this.options = options;
    this.camera = options.camera;
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoff ?? new ReconnectBackoff();
    this.metrics = options.registry ? sourceMetrics(options.registry) : undefined;
    this.log = options.logger ?? (defaultLogger ??= createLogger('edge-source'));
    this.frameBytes = bytesPerFrame(options.output);
    const isFile = inputKind(options.input.url) === 'file';
    this.endAtEof = options.endAtEof ?? (isFile && !options.input.loop);
    // Offline files run faster than real time: their frames are stamped with video time, not wall time.
    this.offlineTimestamps = isFile && options.input.realtime === false;
    this.mailbox = new LatestMailbox<Item>((dropped) => {
      if (dropped.kind !== 'frame') return;
      this.count.dropped++;
      this.metrics?.dropped.labels(this.camera).inc();
      // Nobody has seen a dropped frame, so its buffer can take the next one: with a slow consumer
      // most frames are dropped, and reusing them spares the GC hundreds of kB per frame.
      if (this.spareBuffers.length < 2) this.spareBuffers.push(dropped.frame.data);
    });
    this.current = { camera: this.camera, state: 'starting', at: this.clock.now(), restarts: 0 };
  }

  status(): SourceStatus {
    return { ...this.current };
  }

  counters(): SourceCounters {
    return { ...this.count };
  }

  onStatus(listener: (status: SourceStatus) => void): void {
    this.listeners.push(listener);
  }

  async *frames(): AsyncGenerator<Frame> {
    if (this.started) throw new Error(`FfmpegCameraSource ${this.camera}: frames() may be called once`);
    this.started = true;
    this.startedAt = this.clock.now();
    this.supervisor = this.supervise();
    try {
      for (;;) {
        const item = await this.mailbox.take();
        if (item.kind === 'end') return;
        if (item.kind === 'error') throw item.error;
        this.count.delivered++;
        this.metrics?.delivered.labels(this.camera).inc();
        yield item.frame;
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return this.supervisor;
    this.closed = true;
    this.sleeping?.wake();
    this.mailbox.clear();
    this.child?.kill('SIGTERM');
    const child = this.child;
    const force = child ? this.clock.setTimeout(() => child.kill('SIGKILL'), 2000) : undefined;
    await this.supervisor;
    force?.cancel();
    this.mailbox.put({ kind: 'end' });
    this.metrics?.up.labels(this.camera).set(0);
  }

  private async supervise(): Promise<void> {
    const kind = inputKind(this.options.input.url);
    while (!this.closed) {
      const run = await this.runOnce();
      if (this.closed) return;
      this.backoff.runEnded(run.streamedMs);
      if (run.code === 0 && !run.stalled && this.endAtEof) {
        this.setStatus({ state: 'ended' });
        await this.finalItem({ kind: 'end' });
        return;
      }
      const finding = this.reasonOf(run);
      if (this.endAtEof) {
        this.setStatus({ state: 'offline', ...finding });
        await this.finalItem({ kind: 'error', error: sourceError(this.camera, this.options.input.url, finding) });
        return;
      }
      this.count.restarts++;
      this.metrics?.restarts.labels(this.camera).inc();
      this.metrics?.up.labels(this.camera).set(0);
      const delay = this.backoff.next();
      this.setStatus({ state: 'offline', ...finding });
      this.log.warn({ camera: this.camera, kind, reason: finding.reason, detail: finding.detail, retryInMs: delay, restarts: this.count.restarts }, 'camera offline; reconnecting');
      await this.sleep(delay);
    }
  }

  /** The end (or failure) goes after the last frame has been read, never in its place. */
  private async finalItem(item: Item): Promise<void> {
    await this.mailbox.space();
    if (!this.closed) this.mailbox.put(item);
  }

  private reasonOf(run: RunResult): ReasonFinding {
    if (run.spawnError) return { reason: 'unknown', detail: `ffmpeg could not be started: ${run.spawnError.message}` };
    const said = classifyFfmpegStderr(run.stderr);
    if (said && said.reason !== 'unknown') return said;
    if (run.stalled) return { reason: 'stalled', detail: `no frame for ${this.options.stallS} s` };
    // ffmpeg 5.1 reports a server that accepts and then says nothing as "Invalid data found".
    const timeoutMs = (this.options.input.timeoutS ?? 10) * 1000;
    if (run.frames === 0 && run.ranMs >= timeoutMs && inputKind(this.options.input.url) !== 'file') {
      return { reason: 'timeout', detail: said?.detail ?? `no answer within ${timeoutMs / 1000} s` };
    }
    return said ?? { reason: 'exited', detail: `ffmpeg exited with code ${run.code}` };
  }

  private runOnce(): Promise<RunResult> {
    const ffmpeg = this.options.ffmpeg ?? findFfmpeg();
    const args = buildFfmpegArgs(this.options.input, this.options.output, ffmpeg.flavour);
    const spawnedAt = this.clock.now();
    const result: RunResult = { code: null, stalled: false, frames: 0, streamedMs: 0, ranMs: 0, stderr: [] };
    let firstFrameAt: number | undefined;
    const child = spawn(ffmpeg.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const watchdog = new StallWatchdog(this.clock, this.options.stallS * 1000, () => {
      result.stalled = true;
      child.kill('SIGKILL');
    });
    watchdog.feed(this.options.firstFrameGraceMs ?? 5000);

    createInterface({ input: child.stderr! }).on('line', (line) => {
      result.stderr.push(line);
      if (result.stderr.length > STDERR_LINES_KEPT) result.stderr.shift();
      if (isDecodeErrorLine(line)) {
        this.count.decodeErrors++;
        this.metrics?.decodeErrors.labels(this.camera).inc();
      }
      this.log.debug({ camera: this.camera, line: redactCredentials(line) }, 'ffmpeg');
    });

    const read = (async () => {
      const nextBuffer = () => this.spareBuffers.pop() ?? Buffer.allocUnsafe(this.frameBytes);
      let buffer = nextBuffer();
      let filled = 0;
      for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const n = Math.min(chunk.length - offset, this.frameBytes - filled);
          chunk.copy(buffer, filled, offset, offset + n);
          filled += n;
          offset += n;
          if (filled < this.frameBytes) continue;
          firstFrameAt ??= this.clock.now();
          result.frames++;
          // Time spent waiting for a slow reader ('every' mode) is not a stall of the camera.
          watchdog.stop();
          await this.deliver(buffer);
          watchdog.feed();
          buffer = nextBuffer();
          filled = 0;
        }
      }
    })().catch((err: Error) => this.log.debug({ camera: this.camera, err: err.message }, 'ffmpeg stdout closed'));

    return new Promise((resolve) => {
      let spawnError: Error | undefined;
      child.once('error', (err) => (spawnError = err));
      child.once('close', (code) => {
        void read.then(() => {
          watchdog.stop();
          this.child = undefined;
          const now = this.clock.now();
          resolve({ ...result, code, spawnError, ranMs: now - spawnedAt, streamedMs: firstFrameAt === undefined ? 0 : now - firstFrameAt });
        });
      });
    });
  }

  private async deliver(data: Buffer): Promise<void> {
    const seq = this.count.decoded++;
    this.metrics?.decoded.labels(this.camera).inc();
    const { width, height, fps, pixelFormat } = this.options.output;
    const now = this.clock.now();
    const ptsMs = this.offlineTimestamps ? Math.round((seq * 1000) / fps) : now - this.startedAt;
    const frame: Frame = { camera: this.camera, seq, at: this.offlineTimestamps ? this.startedAt + ptsMs : now, ptsMs, width, height, format: pixelFormat, data };
    if (this.current.state !== 'ok') {
      this.metrics?.up.labels(this.camera).set(1);
      this.setStatus({ state: 'ok', reason: undefined, detail: undefined });
    }
    if (this.options.delivery === 'every' && !this.closed) await this.mailbox.space();
    if (!this.closed) this.mailbox.put({ kind: 'frame', frame });
  }

  private setStatus(change: Partial<SourceStatus>): void {
    const next: SourceStatus = { ...this.current, ...change, at: this.clock.now(), restarts: this.count.restarts };
    if (next.reason === undefined) delete next.reason;
    if (next.detail === undefined) delete next.detail;
    this.current = next;
    for (const l of this.listeners) l({ ...next });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.sleeping = undefined;
        resolve();
      }, ms);
      this.sleeping = {
        cancel: () => timer.cancel(),
        wake: () => {
          timer.cancel();
          this.sleeping = undefined;
          resolve();
        },
      };
    });
  }
}

const HINTS: Record<ReasonFinding['reason'], string> = {
  auth_failed: 'check the user name and password in source.url',
  not_found: 'check the path in source.url',
  connection_refused: 'check the host and port, and that the camera is on',
  timeout: 'check the network path to the camera, or raise source.timeout_s',
  unsupported_codec: 'this ffmpeg cannot decode the stream; install a fuller ffmpeg or change the camera codec',
  stalled: 'the stream stopped sending frames',
  exited: 'ffmpeg stopped; see the detail',
  unknown: 'the file may be truncated, corrupt or not a video',
};

function sourceError(camera: string, url: string, finding: ReasonFinding): VigilError {
  return new VigilError(
    'VIGIL_ERR_SOURCE_FAILED',
    `camera ${camera}: cannot read ${redactCredentials(url)}: ${finding.reason}${finding.detail ? ` (${finding.detail})` : ''}; ${HINTS[finding.reason]}.`,
  );
}
