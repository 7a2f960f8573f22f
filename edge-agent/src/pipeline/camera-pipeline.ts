import type { CameraConfig, VigilEvent } from '@vigil/contracts';
import type { Clock } from '@vigil/observe';
import { CameraHealthMonitor } from '../health/camera-health.js';
import { toGreyThumbnail } from '../motion/grey.js';
import { FrameDifferenceMotionDetector, type MotionDetector, type MotionResult } from '../motion/motion-detector.js';
import type { Frame, FrameSource } from '../source/frame.js';
import { AnalyticScheduler, type Analytic } from './analytic.js';
import { CameraEvents } from './events.js';

export interface CameraPipelineOptions {
  site: string;
  gateway: string;
  camera: CameraConfig;
  source: FrameSource;
  /** The gateway's event counter (seq), shared by all its cameras. */
  sequence: { next(): number };
  analytics?: Analytic[];
  /** Every event, in order. */
  emit: (event: VigilEvent) => void;
  offlineGraceMs?: number;
  clock?: Clock;
  /** Called after each frame has been through every stage. */
  onFrame?: (frame: Frame, motion: MotionResult) => void;
}

/** With motion gating off every frame counts as moving, so gated analytics run on all of them. */
const ALWAYS_MOVING: MotionResult = { detected: true, regions: [{ x1: 0, y1: 0, x2: 1, y2: 1 }], changedRatio: 1, lightingChange: false };

/**
 * One camera from frames to events: source -> motion -> health -> analytics. The edge agent runs one
 * per camera; `vigil process` runs one over a file.
 */
export class CameraPipeline {
  readonly events: CameraEvents;
  readonly health: CameraHealthMonitor;
  private readonly motion: MotionDetector | undefined;
  private readonly scheduler = new AnalyticScheduler();
  private lastFrameAt: number | undefined;

  constructor(private readonly options: CameraPipelineOptions) {
    const { camera } = options;
    this.events = new CameraEvents(options.site, options.gateway, camera.id, options.sequence);
    this.health = new CameraHealthMonitor(
      this.events,
      { frozenS: camera.health.frozen_s, tamperS: camera.health.tamper_s, offlineGraceMs: options.offlineGraceMs, clock: options.clock },
      options.emit,
    );
    this.motion = camera.motion.enabled ? new FrameDifferenceMotionDetector({ sensitivity: camera.motion.sensitivity, masks: camera.motion.masks }) : undefined;
    options.source.onStatus((status) => this.health.observeSource(status));
  }

  /** Runs until the source ends (files) or is closed; rethrows a source failure after reporting it. */
  async run(): Promise<void> {
    const { source, analytics = [], emit } = this.options;
    for await (const frame of source.frames()) {
      this.lastFrameAt = frame.at;
      const grey = toGreyThumbnail(frame);
      const motion = this.motion ? this.motion.detect(grey) : ALWAYS_MOVING;
      this.health.observeFrame(grey, frame.at);
      const health = this.health.state().state;
      for (const analytic of analytics) {
        if (!this.scheduler.shouldRun(analytic, { frame, motion })) continue;
        for (const event of await analytic.analyse({ frame, grey, motion, health }, this.events)) emit(event);
      }
      this.options.onFrame?.(frame, motion);
    }
  }

  /** Ends open incidents at the last frame's time: the stream is over. */
  finish(): void {
    const at = this.lastFrameAt ?? this.options.clock?.now() ?? Date.now();
    for (const analytic of this.options.analytics ?? []) for (const e of analytic.finish?.(at, this.events) ?? []) this.options.emit(e);
    this.health.finish(at);
  }
}
