import type { CameraConfig, VigilEvent } from '@vigil/contracts';
import type { Segmenter } from '@vigil/models';
import type { Point } from '../../geometry/index.js';
import type { Analytic, AnalyticGate, AnalyticInput } from '../../pipeline/analytic.js';
import type { CameraEvents } from '../../pipeline/events.js';
import type { EvidenceRecorder } from '../../evidence/evidence-recorder.js';
import { FloodAnalytic, type FloodTelemetry } from './flood-analytic.js';
import type { ImageView, WaterLevelEstimatorOptions, WaterMask } from './water-level-estimator.js';

/** The water segmentation model as the stage needs it: a frame in, water probabilities out. */
export type SegmentWaterFn = (image: ImageView) => Promise<WaterMask> | WaterMask;

export interface FloodStageOptions {
  /** Without a water model the gauge is read from the image alone, and flooded_ratio is not reported. */
  segment?: SegmentWaterFn;
  evidence?: EvidenceRecorder;
  estimator?: WaterLevelEstimatorOptions;
  /** Telemetry of each sample (the agent merges it into the camera's telemetry message). */
  onTelemetry?: (at: number, telemetry: FloodTelemetry) => void;
}

/**
 * Flood as a pipeline stage: every sample_every_s (motion or not) the gauge is read, from the water
 * model's mask when there is one and from the image otherwise; level changes become flood_level events
 * with a snapshot (the waterline drawn on it) and a clip.
 */
export class FloodStage implements Analytic {
  readonly name = 'flood';
  readonly gate: AnalyticGate;
  private readonly zones: { id: string; polygon: Point[] }[];
  private latest: FloodTelemetry | undefined;

  constructor(
    readonly analytic: FloodAnalytic,
    camera: CameraConfig,
    private readonly options: FloodStageOptions = {},
  ) {
    this.gate = options.evidence ? { kind: 'every-frame' } : { kind: 'periodic', everyMs: analytic.sampleEveryMs };
    const area = camera.analytics.flood?.area_zone;
    this.zones = camera.zones.filter((z) => z.id === area).map((z) => ({ id: z.id, polygon: z.polygon as Point[] }));
  }

  static factory(options: FloodStageOptions | ((camera: CameraConfig) => FloodStageOptions) = {}): (camera: CameraConfig) => FloodStage | undefined {
    return (camera) => {
      const opts = typeof options === 'function' ? options(camera) : options;
      const analytic = FloodAnalytic.fromCamera(camera, opts.estimator);
      return analytic ? new FloodStage(analytic, camera, opts) : undefined;
    };
  }

  async analyse(input: AnalyticInput, events: CameraEvents): Promise<VigilEvent[]> {
    const { frame } = input;
    const evidence = this.options.evidence;
    evidence?.push(frame.at, frame);
    if (!this.analytic.due(frame.at)) return evidence ? evidence.take() : [];
    const mask = this.options.segment ? await this.options.segment(frame) : undefined;
    const sample = this.analytic.sample(frame.at, frame, mask, events);
    this.latest = sample.telemetry;
    this.options.onTelemetry?.(frame.at, sample.telemetry);
    if (!evidence) return sample.events;
    const w = 0.06;
    const line = sample.reading?.visible ? ([[sample.reading.waterline[0] - w, sample.reading.waterline[1]], [sample.reading.waterline[0] + w, sample.reading.waterline[1]]] as [Point, Point]) : undefined;
    const notes = [sample.telemetry.water_level_cm === null ? 'gauge not visible' : `${sample.telemetry.water_level_cm} cm · ${sample.telemetry.level}`];
    for (const e of sample.events) await evidence.record(e, frame, { zones: this.zones, notes, ...(line ? { line } : {}) });
    return evidence.take();
  }

  /** The last sample's fields for the camera's telemetry message (the agent merges them in). */
  telemetry(): Partial<FloodTelemetry> {
    return this.latest ?? {};
  }

  finish(_at: number, _events: CameraEvents): VigilEvent[] {
    // a flood does not end because the video did: open incidents stay open (the next run resumes them)
    return this.options.evidence ? this.options.evidence.drainWithoutClips() : [];
  }
}

/** The water segmentation model (@vigil/models Segmenter, binary mask) as the stage's `segment`. */
export function segmenterWater(segmenter: Segmenter): SegmentWaterFn {
  return async (image) => {
    const [r] = await segmenter.segment([{ data: image.data, width: image.width, height: image.height, channels: image.format === 'gray' ? 1 : 3 }]);
    return { width: r!.width, height: r!.height, data: r!.mask };
  };
}
