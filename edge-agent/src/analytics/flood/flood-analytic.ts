import { formatIssues, validateMessage, VigilError, type CameraConfig, type EventOf, type FloodLevel, type ZoneConfig } from '@vigil/contracts';
import type { CameraEvents, Incident } from '../../pipeline/events.js';
import { boundingRect, pointInPolygon, type Point } from '../../geometry/index.js';
import { GaugeCalibration } from './gauge-calibration.js';
import { DepthSeries, FloodLevelTracker } from './flood-levels.js';
import { WaterLevelEstimator, type GaugeReading, type ImageView, type WaterMask, type WaterLevelEstimatorOptions } from './water-level-estimator.js';

export type FloodConfig = NonNullable<CameraConfig['analytics']['flood']>;
export type FloodEvent = EventOf<'flood_level'>;

/** The flood fields of a camera's telemetry message (the pipeline adds fps, health and counters). */
export interface FloodTelemetry {
  water_level_cm: number | null;
  flooded_ratio?: number;
  level: FloodLevel;
}

export interface FloodSample {
  at: number;
  reading: GaugeReading | undefined;
  telemetry: FloodTelemetry;
  events: FloodEvent[];
}

/**
 * Flood on one hotspot camera: every `sample_every_s` (motion or not) the gauge is read, the depth
 * smoothed and turned into a level with hysteresis; telemetry goes out every sample, a flood_level
 * incident starts when the level leaves "normal", gets an update on every level change, and ends when it
 * is back to normal. A gauge that cannot be read gives water_level_cm null and holds the level: the
 * depth is not guessed, and an incident is neither raised nor closed on a frame that shows nothing.
 */
export class FloodAnalytic {
  readonly sampleEveryMs: number;
  private readonly estimator: WaterLevelEstimator | undefined;
  private readonly series: DepthSeries;
  private readonly levels: FloodLevelTracker;
  private readonly area: AreaSampler | undefined;
  private nextDueAt = -Infinity;
  private incident: Incident<'flood_level'> | undefined;
  private lastDepth: number | null = null;

  constructor(
    private readonly config: FloodConfig,
    parts: { gauge?: GaugeCalibration; areaZone?: ZoneConfig; estimator?: WaterLevelEstimatorOptions },
  ) {
    this.sampleEveryMs = config.sample_every_s * 1000;
    this.estimator = parts.gauge ? new WaterLevelEstimator(parts.gauge, parts.estimator) : undefined;
    this.series = new DepthSeries(config.smoothing_samples);
    this.levels = new FloodLevelTracker(config.levels_cm, config.hysteresis_cm);
    this.area = parts.areaZone ? new AreaSampler(parts.areaZone.polygon as Point[]) : undefined;
  }

  /** Builds the analytic from a camera's config (already checked by contracts' config checks). */
  static fromCamera(camera: CameraConfig, estimator?: WaterLevelEstimatorOptions): FloodAnalytic | undefined {
    const config = camera.analytics.flood;
    if (!config) return undefined;
    const gaugeConfig = config.gauge ? camera.gauges.find((g) => g.id === config.gauge) : undefined;
    if (config.gauge && !gaugeConfig) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${camera.id}: analytics.flood.gauge "${config.gauge}" is not among its gauges; add it under gauges or fix the id`);
    const areaZone = config.area_zone ? camera.zones.find((z) => z.id === config.area_zone) : undefined;
    if (config.area_zone && !areaZone) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${camera.id}: analytics.flood.area_zone "${config.area_zone}" is not among its zones; add a flood_area zone or fix the id`);
    return new FloodAnalytic(config, { ...(gaugeConfig ? { gauge: new GaugeCalibration(gaugeConfig) } : {}), ...(areaZone ? { areaZone } : {}), ...(estimator ? { estimator } : {}) });
  }

  /** True when a sample is due: the pipeline hands this camera's frame over even without motion. */
  due(at: number): boolean {
    // a tenth of a period of slack: frames arrive at the source's pace, not exactly on the period
    return at >= this.nextDueAt - this.sampleEveryMs * 0.1;
  }

  sample(at: number, image: ImageView | undefined, mask: WaterMask | undefined, events: CameraEvents): FloodSample {
    // the schedule stays anchored (no drift from the slack) unless the samples fell a period behind
    const planned = this.nextDueAt;
    this.nextDueAt = Number.isFinite(planned) && at - planned < this.sampleEveryMs ? planned + this.sampleEveryMs : at + this.sampleEveryMs;
    const reading = this.estimator ? this.estimator.read(image, mask) : undefined;
    let depth: number | null = null;
    if (reading) {
      const smoothed = this.series.push(at, reading.visible ? reading.depthCm : null);
      depth = smoothed === null ? null : round1(smoothed);
    }
    const before = this.levels.level;
    const level = depth === null ? before : this.levels.update(depth);
    this.lastDepth = depth;
    const flooded = mask && this.area ? round3(this.area.floodedRatio(mask)) : undefined;
    const telemetry: FloodTelemetry = { water_level_cm: depth, level, ...(flooded !== undefined ? { flooded_ratio: flooded } : {}) };
    const out: FloodEvent[] = [];
    if (level !== before) {
      const visible = reading?.visible ?? false;
      if (before === 'normal') out.push(this.event(events, 'start', at, level, telemetry, visible));
      else if (this.incident) {
        out.push(this.event(events, level === 'normal' ? 'end' : 'update', at, level, telemetry, visible));
        if (level === 'normal') this.incident = undefined;
      }
    }
    return { at, reading, telemetry, events: out };
  }

  /** The depth of the last sample (null when the gauge was not readable). */
  get depthCm(): number | null {
    return this.lastDepth;
  }

  private event(ev: CameraEvents, phase: 'start' | 'update' | 'end', at: number, level: FloodLevel, t: FloodTelemetry, visible: boolean): FloodEvent {
    const rate = this.series.rateCmPerHour();
    const attributes = {
      water_level_cm: t.water_level_cm,
      level,
      ...(rate !== undefined ? { rate_cm_per_h: round1(rate) } : {}),
      ...(t.flooded_ratio !== undefined ? { flooded_ratio: t.flooded_ratio } : {}),
      gauge_visible: visible,
      ...(this.config.gauge ? { gauge: this.config.gauge } : {}),
    };
    let event: FloodEvent;
    if (phase === 'start') {
      const started = ev.start('flood_level', at, attributes, this.config.area_zone ? { zone: this.config.area_zone } : {});
      this.incident = started.incident;
      event = started.event;
    } else event = phase === 'update' ? ev.update(this.incident!, at, attributes) : ev.end(this.incident!, at, attributes);
    const checked = validateMessage('event', event);
    if (!checked.ok) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `flood analytic built an invalid event (a bug here): ${formatIssues(checked.issues)}`);
    return checked.value as FloodEvent;
  }
}

/** Flooded share of a flood_area zone: pixels of the zone whose water probability is at least 0.5. */
class AreaSampler {
  private cache: { w: number; h: number; pixels: Int32Array } | undefined;

  constructor(private readonly polygon: Point[]) {}

  floodedRatio(mask: WaterMask): number {
    const pixels = this.pixelsOf(mask.width, mask.height);
    if (pixels.length === 0) return 0;
    let wet = 0;
    for (const i of pixels) if (mask.data[i]! >= 0.5) wet++;
    return wet / pixels.length;
  }

  private pixelsOf(w: number, h: number): Int32Array {
    if (this.cache && this.cache.w === w && this.cache.h === h) return this.cache.pixels;
    const r = boundingRect(this.polygon);
    const list: number[] = [];
    for (let y = Math.max(0, Math.floor(r.y1 * h)); y < Math.min(h, Math.ceil(r.y2 * h)); y++) {
      for (let x = Math.max(0, Math.floor(r.x1 * w)); x < Math.min(w, Math.ceil(r.x2 * w)); x++) {
        if (pointInPolygon([(x + 0.5) / w, (y + 0.5) / h], this.polygon)) list.push(y * w + x);
      }
    }
    this.cache = { w, h, pixels: Int32Array.from(list) };
    return this.cache.pixels;
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round3 = (v: number) => Math.round(v * 1000) / 1000;
