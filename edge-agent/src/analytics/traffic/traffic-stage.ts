import { VigilError, type CameraConfig, type VigilEvent } from '@vigil/contracts';
import type { Point } from '../../geometry/index.js';
import { ByteTracker, mergeRiders, type ByteTrackerOptions, type Detection, type Track } from '../../track/index.js';
import { ViolationEvidence } from './evidence.js';
import type { LineCount } from './rules/line-counter.js';
import type { RgbImage } from './signal/lamp-colour.js';
import type { SignalPhase, SignalStateSource } from './signal/signal-state.js';
import { VideoSignalSource } from './signal/video-signal.js';
import { TrafficAnalytics } from './traffic-analytics.js';
import type { SequenceCounter } from './traffic-events.js';

export interface TrafficStageOptions {
  camera: CameraConfig;
  site: string;
  gateway: string;
  sequence: SequenceCounter;
  /** The controller's phase over MQTT (analytics.traffic.signal_topic); otherwise read from the signal zone. */
  signal?: SignalStateSource;
  /** Where evidence JPEGs go; without it events carry no evidence. */
  evidenceDir?: string;
  tracker?: ByteTrackerOptions;
  model?: { name: string; version: string };
}

export interface TrafficFrameResult {
  events: VigilEvent[];
  tracks: Track[];
  phase: SignalPhase;
}

/**
 * The traffic part of one camera's pipeline, after the detector: track -> signal -> rules -> evidence
 * -> events. One call per analysed frame, in time order.
 */
export class TrafficStage {
  readonly tracker: ByteTracker;
  readonly analytics: TrafficAnalytics;
  readonly signal: SignalStateSource | undefined;
  private readonly videoSignal: VideoSignalSource | undefined;
  private readonly evidence: ViolationEvidence | undefined;

  constructor(opt: TrafficStageOptions) {
    const traffic = opt.camera.analytics.traffic;
    if (!traffic) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${opt.camera.id} has no analytics.traffic section; add one to run the traffic rules`);
    if (opt.signal) this.signal = opt.signal;
    else if (traffic.signal) {
      const zone = opt.camera.zones.find((z) => z.id === traffic.signal && z.kind === 'signal');
      if (!zone) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${opt.camera.id}: analytics.traffic.signal "${traffic.signal}" is not a signal zone; run \`vigil config check\``);
      this.videoSignal = new VideoSignalSource(zone.polygon as Point[]);
      this.signal = this.videoSignal;
    } else if (traffic.signal_topic) {
      throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${opt.camera.id}: signal_topic ${traffic.signal_topic} needs an MqttSignalSource passed to the traffic stage`);
    }
    this.tracker = new ByteTracker(opt.tracker);
    this.analytics = new TrafficAnalytics(opt.camera, this.signal, { site: opt.site, gateway: opt.gateway, sequence: opt.sequence, ...(opt.model ? { model: opt.model } : {}) });
    if (opt.evidenceDir) this.evidence = new ViolationEvidence(opt.camera, { dir: opt.evidenceDir });
  }

  /** One frame: its pixels (for the signal and evidence; may be absent) and its detections (riders are merged into their bikes here). */
  async frame(image: RgbImage | undefined, detections: readonly Detection[], at: number): Promise<TrafficFrameResult> {
    if (image && this.videoSignal) this.videoSignal.observe(image, at);
    const tracks = this.tracker.update(mergeRiders(detections), at);
    const judged = this.analytics.observe(tracks, at);
    const events: VigilEvent[] = [];
    if (this.evidence && image) {
      for (const j of judged) this.evidence.request(j);
      for (const r of await this.evidence.addFrame(image, at)) events.push(this.analytics.event(r.judgement, r.evidence));
    } else {
      for (const j of judged) events.push(this.analytics.event(j));
    }
    return { events, tracks, phase: this.signal?.phaseAt(at).phase ?? 'unknown' };
  }

  /** End of stream: open incidents end, pending evidence is written with the frames there are. */
  async finish(): Promise<VigilEvent[]> {
    const judged = this.analytics.finish();
    if (!this.evidence) return judged.map((j) => this.analytics.event(j));
    for (const j of judged) this.evidence.request(j);
    return (await this.evidence.flush()).map((r) => this.analytics.event(r.judgement, r.evidence));
  }

  takeCounts(): LineCount[] {
    return this.analytics.takeCounts();
  }
}
