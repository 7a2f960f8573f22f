import type { CameraConfig, VigilEvent } from '@vigil/contracts';
import type { Detector } from '@vigil/models';
import type { Point } from '../../geometry/index.js';
import type { Analytic, AnalyticGate, AnalyticInput } from '../../pipeline/analytic.js';
import type { CameraEvents } from '../../pipeline/events.js';
import type { EvidenceRecorder } from '../../evidence/evidence-recorder.js';
import type { ImageView } from '../flood/water-level-estimator.js';
import { FireAnalytic, type FireAnalyticOptions, type FireDetection } from './fire-analytic.js';

/** The fire-smoke model as the stage needs it: a frame in, fire/smoke boxes out (normalised). */
export type FireDetectFn = (image: ImageView) => Promise<FireDetection[]> | FireDetection[];

export interface FireStageOptions extends FireAnalyticOptions {
  detect: FireDetectFn;
  /** Evidence for starts and updates; without it events carry no evidence. */
  evidence?: EvidenceRecorder;
}

/**
 * Fire and smoke as a pipeline stage: on each due sample the detector runs and the analytic judges its
 * boxes; events leave once their evidence is written. With evidence the stage sees every frame (the
 * clip ring needs them) but still runs the detector only every sample_every_s.
 */
export class FireStage implements Analytic {
  readonly name = 'fire';
  readonly gate: AnalyticGate;
  private readonly zones: { id: string; polygon: Point[] }[];

  constructor(
    readonly analytic: FireAnalytic,
    camera: CameraConfig,
    private readonly options: FireStageOptions,
  ) {
    this.gate = options.evidence ? { kind: 'every-frame' } : { kind: 'periodic', everyMs: analytic.sampleEveryMs };
    const watched = new Set(camera.analytics.fire?.zones ?? []);
    this.zones = camera.zones.filter((z) => watched.has(z.id)).map((z) => ({ id: z.id, polygon: z.polygon as Point[] }));
  }

  /** A pipeline factory: the stage for cameras with analytics.fire, none for the others. */
  static factory(options: FireStageOptions | ((camera: CameraConfig) => FireStageOptions)): (camera: CameraConfig) => FireStage | undefined {
    return (camera) => {
      const opts = typeof options === 'function' ? options(camera) : options;
      const analytic = FireAnalytic.fromCamera(camera, opts);
      return analytic ? new FireStage(analytic, camera, opts) : undefined;
    };
  }

  async analyse(input: AnalyticInput, events: CameraEvents): Promise<VigilEvent[]> {
    const { frame } = input;
    const evidence = this.options.evidence;
    evidence?.push(frame.at, frame);
    let judged: VigilEvent[] = [];
    if (this.analytic.due(frame.at)) {
      judged = this.analytic.observe(frame.at, await this.options.detect(frame), events);
    }
    if (!evidence) return judged;
    for (const e of judged) await evidence.record(e, frame, { zones: this.zones });
    return evidence.take();
  }

  finish(at: number, events: CameraEvents): VigilEvent[] {
    const ended = this.analytic.finish(at, events);
    return this.options.evidence ? [...this.options.evidence.drainWithoutClips(), ...ended] : ended;
  }
}

/** The fire-smoke model (@vigil/models Detector, boxes normalised to the frame) as the stage's `detect`. */
export function detectorFire(detector: Detector): FireDetectFn {
  return async (image) => {
    const [found] = await detector.detect([{ data: image.data, width: image.width, height: image.height, channels: image.format === 'gray' ? 1 : 3 }]);
    return (found ?? []).map((d) => ({ label: d.label, score: d.score, box: { x1: d.box[0], y1: d.box[1], x2: d.box[2], y2: d.box[3] } }));
  };
}
