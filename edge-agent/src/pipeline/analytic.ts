import type { CameraConfig, VigilEvent } from '@vigil/contracts';
import type { CameraHealthState } from '../health/camera-health.js';
import type { GreyImage } from '../motion/grey.js';
import type { MotionResult } from '../motion/motion-detector.js';
import type { Frame } from '../source/frame.js';
import type { CameraEvents } from './events.js';

/** What every analytic sees for one frame. */
export interface AnalyticInput {
  frame: Frame;
  grey: GreyImage;
  motion: MotionResult;
  health: CameraHealthState;
}

/**
 * When an analytic runs. 'motion': only on frames with motion (traffic rules). 'periodic': on frames
 * with motion, and without motion at least every `everyMs` (flood and fire sample periodically: water
 * rises and smoke drifts too slowly for frame differencing). 'every-frame': always.
 */
export type AnalyticGate = { kind: 'motion' } | { kind: 'periodic'; everyMs: number } | { kind: 'every-frame' };

/**
 * The analytics stage: one implementation per analytic family (flood, fire, traffic), built from the
 * camera's config. Later issues add them; the offline `process` path and the edge agent run them the
 * same way through CameraPipeline.
 */
export interface Analytic {
  readonly name: string;
  readonly gate: AnalyticGate;
  /** Returns the events this frame produced (start / update / end), built with `events`. */
  analyse(input: AnalyticInput, events: CameraEvents): Promise<VigilEvent[]> | VigilEvent[];
  /** The stream ended: end open incidents. */
  finish?(at: number, events: CameraEvents): VigilEvent[];
}

export type AnalyticFactory = (camera: CameraConfig) => Analytic | undefined;

/** Decides whether a gated analytic runs on this frame; keeps the last run time per analytic. */
export class AnalyticScheduler {
  private readonly lastRun = new Map<Analytic, number>();

  shouldRun(analytic: Analytic, input: Pick<AnalyticInput, 'frame' | 'motion'>): boolean {
    const gate = analytic.gate;
    let run: boolean;
    if (gate.kind === 'every-frame') run = true;
    else if (gate.kind === 'motion') run = input.motion.detected;
    else {
      const last = this.lastRun.get(analytic);
      run = input.motion.detected || last === undefined || input.frame.at - last >= gate.everyMs;
    }
    if (run) this.lastRun.set(analytic, input.frame.at);
    return run;
  }
}
