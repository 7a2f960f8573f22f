import type { VigilEvent } from '@vigil/contracts';
import { systemClock, type Clock } from '@vigil/observe';
import type { GreyImage } from '../motion/grey.js';
import type { CameraEvents, Incident } from '../pipeline/events.js';
import type { SourceStatus } from '../source/frame.js';
import type { OfflineReason } from '../source/stderr-reasons.js';
import { imageStats, maxAbsDifference, type ImageStats } from './image-stats.js';

export type TamperReason = 'too_dark' | 'covered' | 'blurred' | 'frozen';
/** The contract's CameraState (telemetry health.state). */
export type CameraHealthState = 'starting' | 'ok' | 'offline' | TamperReason;

export interface TamperThresholds {
  /** Mean grey below this: too dark (a night scene under street lights stays above ~30). */
  darkBrightness: number;
  /** Grey standard deviation below this: covered (a hand, cloth, paint or a lens cap). */
  uniformContrast: number;
  /** Normalised Laplacian below this share of the camera's own usual sharpness: blurred (defocused, fogged or smeared lens). */
  blurRatio: number;
  /** Normalised Laplacian below this is blurred whatever the camera's history (a camera that starts blurred). */
  blurFloor: number;
  /** Largest grey difference between consecutive thumbnails at or below this: a repeated picture. */
  frozenMaxDiff: number;
}

// Sharpness depends on the scene (0.1 for colour bars, 3 for fine texture on 160-pixel thumbnails), so
// blur is judged against the camera's own history: a Gaussian blur of sigma 4 px at 640x360 halves it
// (ffmpeg testsrc2: 0.150 -> 0.071), sigma 2 keeps 70% (see test/health.test.ts).
export const DEFAULT_TAMPER_THRESHOLDS: TamperThresholds = { darkBrightness: 20, uniformContrast: 6, blurRatio: 0.5, blurFloor: 0.03, frozenMaxDiff: 1 };
// How fast the usual sharpness follows the scene (per unblurred frame).
const SHARPNESS_LEARNING_RATE = 0.05;

export interface HealthOptions {
  /** Seconds a repeated picture must last: config health.frozen_s. */
  frozenS: number;
  /** Seconds covered, blurred or dark must last: config health.tamper_s. */
  tamperS: number;
  /** An outage shorter than this (a quick reconnect) raises no camera_offline event. */
  offlineGraceMs?: number;
  /** A condition must be gone this long before its incident ends, so it does not flap. */
  clearMs?: number;
  thresholds?: Partial<TamperThresholds>;
  clock?: Clock;
}

interface Condition {
  since?: number;
  clearSince?: number;
  incident?: Incident<'camera_tampered'>;
}

const PRIORITY: TamperReason[] = ['too_dark', 'covered', 'blurred', 'frozen'];

/**
 * Camera health from two inputs: the source's status (offline) and each frame's thumbnail (frozen,
 * covered, blurred, too dark). Conditions become camera_offline and camera_tampered incidents
 * (start, then end) once they have lasted the configured time.
 */
export class CameraHealthMonitor {
  private readonly clock: Clock;
  private readonly thresholds: TamperThresholds;
  private readonly conditions = new Map<TamperReason, Condition>(PRIORITY.map((r) => [r, {}]));
  private previous: GreyImage | undefined;
  private sourceState: SourceStatus['state'] = 'starting';
  private offline: { incident?: Incident<'camera_offline'>; reason: OfflineReason; detail?: string; restarts: number; timer?: { cancel(): void } } | undefined;
  private lastStats: ImageStats | undefined;
  private referenceSharpness: number | undefined;

  constructor(
    private readonly events: CameraEvents,
    private readonly options: HealthOptions,
    private readonly emit: (event: VigilEvent) => void,
  ) {
    this.clock = options.clock ?? systemClock;
    this.thresholds = { ...DEFAULT_TAMPER_THRESHOLDS, ...options.thresholds };
  }

  state(): { state: CameraHealthState; reason?: string } {
    if (this.sourceState === 'offline' && this.offline) {
      return { state: 'offline', reason: this.offline.detail ? `${this.offline.reason}: ${this.offline.detail}` : this.offline.reason };
    }
    for (const r of PRIORITY) if (this.conditions.get(r)!.incident) return { state: r, reason: r };
    return { state: this.previous ? 'ok' : 'starting' };
  }

  stats(): ImageStats | undefined {
    return this.lastStats;
  }

  observeSource(status: SourceStatus): void {
    this.sourceState = status.state;
    if (status.state === 'offline') {
      if (this.offline) {
        Object.assign(this.offline, { reason: status.reason ?? 'unknown', detail: status.detail, restarts: status.restarts });
        return;
      }
      const since = status.at;
      this.offline = { reason: status.reason ?? 'unknown', detail: status.detail, restarts: status.restarts };
      const raise = () => {
        const o = this.offline;
        if (!o || o.incident) return;
        const { incident, event } = this.events.start('camera_offline', Math.max(since, this.clock.now()), this.offlineAttributes(), { startedAt: since });
        o.incident = incident;
        this.emit(event);
      };
      const grace = this.options.offlineGraceMs ?? 0;
      if (grace <= 0) raise();
      else this.offline.timer = this.clock.setTimeout(raise, grace);
    } else if (status.state === 'ok' && this.offline) {
      this.offline.timer?.cancel();
      if (this.offline.incident) this.emit(this.events.end(this.offline.incident, status.at, this.offlineAttributes()));
      this.offline = undefined;
    }
  }

  observeFrame(image: GreyImage, at: number): void {
    const stats = imageStats(image);
    this.lastStats = stats;
    const t = this.thresholds;
    const dark = stats.brightness < t.darkBrightness;
    const covered = !dark && stats.contrast < t.uniformContrast;
    this.referenceSharpness ??= dark || covered ? undefined : stats.sharpness;
    const blurred = !dark && !covered && stats.sharpness < Math.max(t.blurFloor, t.blurRatio * (this.referenceSharpness ?? 0));
    if (!dark && !covered && !blurred && this.referenceSharpness !== undefined) {
      this.referenceSharpness += SHARPNESS_LEARNING_RATE * (stats.sharpness - this.referenceSharpness);
    }
    // A black or flat picture repeats trivially; it is reported as dark or covered, not also frozen.
    const frozen = !dark && !covered && this.previous !== undefined && maxAbsDifference(this.previous, image) <= t.frozenMaxDiff;
    this.previous = image;
    this.step('too_dark', dark, at, stats.brightness);
    this.step('covered', covered, at, stats.contrast);
    this.step('blurred', blurred, at, stats.sharpness);
    const frozenSince = this.conditions.get('frozen')!.since;
    this.step('frozen', frozen, at, frozenSince === undefined ? 0 : (at - frozenSince) / 1000);
  }

  /** Ends every open incident (the stream ended: offline processing reached the end of the file). */
  finish(at: number): void {
    for (const r of PRIORITY) {
      const c = this.conditions.get(r)!;
      if (c.incident) this.emit(this.events.end(c.incident, at, { reason: r }));
      this.conditions.set(r, {});
    }
    if (this.offline?.incident) this.emit(this.events.end(this.offline.incident, at, this.offlineAttributes()));
    this.offline?.timer?.cancel();
    this.offline = undefined;
  }

  private step(reason: TamperReason, present: boolean, at: number, metric: number): void {
    const c = this.conditions.get(reason)!;
    const limitMs = (reason === 'frozen' ? this.options.frozenS : this.options.tamperS) * 1000;
    if (present) {
      c.clearSince = undefined;
      c.since ??= at;
      if (!c.incident && at - c.since >= limitMs) {
        const { incident, event } = this.events.start('camera_tampered', at, { reason, metric: round(metric) }, { startedAt: c.since });
        c.incident = incident;
        this.emit(event);
      }
      return;
    }
    c.since = undefined;
    if (!c.incident) return;
    c.clearSince ??= at;
    if (at - c.clearSince >= (this.options.clearMs ?? 2000)) {
      this.emit(this.events.end(c.incident, at, { reason, metric: round(metric) }));
      c.incident = undefined;
      c.clearSince = undefined;
    }
  }

  private offlineAttributes() {
    const o = this.offline!;
    return { reason: o.reason, ...(o.detail ? { detail: o.detail.slice(0, 500) } : {}), restarts: o.restarts };
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
