import type { CameraConfig, Telemetry, VigilEvent } from '@vigil/contracts';
import type { Logger, Registry } from '@vigil/observe';
import type { Analytic, AnalyticFactory } from '../pipeline/analytic.js';
import { CameraPipeline } from '../pipeline/camera-pipeline.js';
import { cameraFfmpegOptions } from '../source/ffmpeg-args.js';
import { FfmpegCameraSource } from '../source/ffmpeg-source.js';
import type { SourceCounters } from '../source/frame.js';

/** Analytics may add their latest measurements (water level, counts) to the camera's telemetry. */
export type TelemetryFields = Partial<Pick<Telemetry, 'water_level_cm' | 'flooded_ratio' | 'level' | 'counts'>>;
/** Flood reports its latest reading (telemetry()); traffic hands over its line counts since the last sample (takeCounts()). */
type TelemetryContributor = Analytic & { telemetry?(): TelemetryFields; takeCounts?(): NonNullable<Telemetry['counts']> };

export interface CameraRunnerOptions {
  site: string;
  gateway: string;
  camera: CameraConfig;
  analytics: AnalyticFactory[];
  /** Events go to the outbox; the publisher assigns the gateway seq and id. */
  emit: (event: VigilEvent) => void;
  registry?: Registry;
  logger: Logger;
}

/**
 * One live camera on the gateway: an ffmpeg source (newest frame wins) feeding a CameraPipeline. A
 * live source reconnects by itself; if the pipeline itself fails (a bug in an analytic), the runner
 * logs it and starts the pipeline again after a pause, so one camera never takes the others down.
 */
export class CameraRunner {
  readonly camera: CameraConfig;
  private readonly source: FfmpegCameraSource;
  private readonly pipeline: CameraPipeline;
  private readonly analytics: TelemetryContributor[];
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastCounters: SourceCounters;
  private lastSampleAt = Date.now();
  private lastFps = 0;

  constructor(private readonly o: CameraRunnerOptions) {
    this.camera = o.camera;
    const { input, output } = cameraFfmpegOptions(o.camera);
    this.source = new FfmpegCameraSource({ camera: o.camera.id, input, output, stallS: o.camera.health.stall_s, delivery: 'latest', registry: o.registry });
    this.analytics = o.analytics.map((f) => f(o.camera)).filter((a): a is Analytic => a !== undefined);
    this.pipeline = new CameraPipeline({
      site: o.site,
      gateway: o.gateway,
      camera: o.camera,
      source: this.source,
      // the outbox stamps the real gateway seq; this counter only numbers events inside the pipeline
      sequence: { next: () => 0 },
      analytics: this.analytics,
      emit: o.emit,
    });
    this.lastCounters = this.source.counters();
  }

  get analyticNames(): string[] {
    return this.analytics.map((a) => a.name);
  }

  start(): void {
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pipeline.run();
        if (this.stopped) break;
        this.o.logger.warn({ camera: this.camera.id }, 'camera source ended; restarting it');
      } catch (err) {
        if (this.stopped) break;
        this.o.logger.error({ camera: this.camera.id, err }, 'camera pipeline failed; restarting it in 5 s');
      }
      await new Promise((r) => setTimeout(r, 5000).unref());
    }
  }

  /** fps, health and counters since the last call, plus what the analytics measured. */
  telemetry(now = Date.now()): Telemetry {
    const counters = this.source.counters();
    const seconds = Math.max(0.001, (now - this.lastSampleAt) / 1000);
    const fps = Math.max(0, (counters.delivered - this.lastCounters.delivered) / seconds);
    this.lastCounters = counters;
    this.lastSampleAt = now;
    this.lastFps = fps;
    const health = this.pipeline.health.state();
    const extra: TelemetryFields = {};
    for (const a of this.analytics) {
      Object.assign(extra, a.telemetry?.() ?? {});
      const counts = a.takeCounts?.();
      if (counts?.length) extra.counts = [...(extra.counts ?? []), ...counts];
    }
    return {
      v: 1,
      at: new Date(now).toISOString(),
      site: this.o.site,
      gateway: this.o.gateway,
      camera: this.camera.id,
      fps: Math.round(fps * 100) / 100,
      health: { state: health.state, ...(health.reason ? { reason: health.reason.slice(0, 500) } : {}) },
      frames: { decoded: counters.decoded, delivered: counters.delivered, dropped: counters.dropped, restarts: counters.restarts },
      ...extra,
    };
  }

  /** For gateway health: the fps of the last telemetry sample. */
  state(): { camera: string; fps: number; state: Telemetry['health']['state'] } {
    return { camera: this.camera.id, fps: Math.round(this.lastFps * 100) / 100, state: this.pipeline.health.state().state };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.source.close();
    await this.running?.catch(() => undefined);
    this.pipeline.finish();
  }
}
