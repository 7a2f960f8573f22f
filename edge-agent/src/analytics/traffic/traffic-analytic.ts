import { formatIssues, validateMessage, VigilError, type CameraConfig, type EvidenceRef, type EventType, type VigilEvent } from '@vigil/contracts';
import type { Detector } from '@vigil/models';
import type { Point } from '../../geometry/index.js';
import type { Analytic, AnalyticFactory, AnalyticInput } from '../../pipeline/analytic.js';
import type { CameraEvents, Incident } from '../../pipeline/events.js';
import { ByteTracker, mergeRiders, type ByteTrackerOptions } from '../../track/index.js';
import { ViolationEvidence, type EvidenceSink } from './evidence.js';
import type { SignalStateSource } from './signal/signal-state.js';
import { VideoSignalSource } from './signal/video-signal.js';
import { TrafficAnalytics, type Judgement } from './traffic-analytics.js';

export interface TrafficAnalyticOptions {
  /** The object detector (shared by the gateway's cameras). */
  detector: Pick<Detector, 'detect' | 'manifest'>;
  /** Where evidence JPEGs go (the gateway's EvidenceStore), or ... */
  evidenceStore?: EvidenceSink;
  /** ... a plain directory; with neither, events carry no evidence. */
  evidenceDir?: string;
  /** The controller's signal (signal_topic) for a camera; otherwise the signal zone is read from video. */
  signalFor?: (camera: CameraConfig) => SignalStateSource | undefined;
  tracker?: ByteTrackerOptions;
  /** ByteTrack needs the weak boxes too (its second association). */
  minScore?: number;
}

/**
 * The traffic analytic in the camera pipeline: detector -> rider merge -> tracker -> signal -> rules -> evidence, on
 * every frame (tracking needs consecutive frames, and a stopped car makes no motion). Events are
 * built with the pipeline's CameraEvents, so they share the gateway's sequence, then get the track
 * id, the evidence and the model.
 */
export function trafficAnalytic(options: TrafficAnalyticOptions): AnalyticFactory {
  return (camera) => (camera.analytics.traffic ? new TrafficAnalytic(camera, options) : undefined);
}

export class TrafficAnalytic implements Analytic {
  readonly name = 'traffic';
  readonly gate = { kind: 'every-frame' } as const;
  private readonly tracker: ByteTracker;
  private readonly videoSignal: VideoSignalSource | undefined;
  private readonly analytics: TrafficAnalytics;
  private readonly evidence: ViolationEvidence | undefined;
  private readonly open = new Map<string, Incident<EventType>>();
  private readonly model: { name: string; version: string };

  constructor(
    private readonly camera: CameraConfig,
    private readonly opt: TrafficAnalyticOptions,
  ) {
    const traffic = camera.analytics.traffic!;
    let signal = opt.signalFor?.(camera);
    if (!signal && traffic.signal) {
      const zone = camera.zones.find((z) => z.id === traffic.signal && z.kind === 'signal');
      if (!zone) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${camera.id}: analytics.traffic.signal "${traffic.signal}" is not a signal zone; run \`vigil config check\``);
      this.videoSignal = new VideoSignalSource(zone.polygon as Point[]);
      signal = this.videoSignal;
    }
    this.tracker = new ByteTracker(opt.tracker);
    // The sequence is unused: events are built with the pipeline's CameraEvents below.
    this.analytics = new TrafficAnalytics(camera, signal, { site: '-', gateway: '-', sequence: { next: () => 0 } });
    if (opt.evidenceStore) this.evidence = new ViolationEvidence(camera, { store: opt.evidenceStore });
    else if (opt.evidenceDir) this.evidence = new ViolationEvidence(camera, { dir: opt.evidenceDir });
    this.model = { name: opt.detector.manifest.name, version: opt.detector.manifest.version };
  }

  async analyse({ frame }: AnalyticInput, events: CameraEvents): Promise<VigilEvent[]> {
    if (frame.format !== 'rgb24') throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera ${this.camera.id}: traffic analytics need colour frames (rgb24), got ${frame.format}`);
    const image = { width: frame.width, height: frame.height, data: frame.data };
    this.videoSignal?.observe(image, frame.at);
    const [found = []] = await this.opt.detector.detect([{ data: frame.data, width: frame.width, height: frame.height, channels: 3 }], { minScore: this.opt.minScore ?? 0.1 });
    const tracks = this.tracker.update(
      mergeRiders(found.map((d) => ({ label: d.label, score: d.score, box: { x1: d.box[0], y1: d.box[1], x2: d.box[2], y2: d.box[3] } }))),
      frame.at,
    );
    const judged = this.analytics.observe(tracks, frame.at);
    if (!this.evidence) return judged.map((j) => this.toEvent(j, [], events));
    for (const j of judged) this.evidence.request(j);
    return (await this.evidence.addFrame(image, frame.at)).map((r) => this.toEvent(r.judgement, r.evidence, events));
  }

  /** Crossings per count line and class since the last call: the telemetry's `counts`. */
  takeCounts(): ReturnType<TrafficAnalytics['takeCounts']> {
    return this.analytics.takeCounts();
  }

  /** The stream ended (synchronous in the pipeline): open incidents end; evidence still waiting for its "after" frame is left out. */
  finish(_at: number, events: CameraEvents): VigilEvent[] {
    return this.analytics.finish().map((j) => this.toEvent(j, [], events));
  }

  private toEvent(j: Judgement, evidence: EvidenceRef[], events: CameraEvents): VigilEvent {
    const v = j.violation;
    // Violation pairs each type with its attributes; TypeScript cannot carry that pairing into start<K>,
    // and the contract check below is the real guard.
    const attributes = { vehicle_class: v.cls, ...(j.speedKmh !== undefined && v.type !== 'speeding' ? { speed_kmh: Math.round(j.speedKmh * 10) / 10 } : {}), ...v.attributes } as never;
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    const options = { ...(v.zone ? { zone: v.zone } : {}), score: clamp(v.score), boxes: [{ x1: clamp(v.box.x1), y1: clamp(v.box.y1), x2: clamp(v.box.x2), y2: clamp(v.box.y2), label: v.cls, score: clamp(v.score) }] };
    let base: VigilEvent;
    const incident = this.open.get(v.incidentKey);
    if (v.phase === 'end' && incident) {
      this.open.delete(v.incidentKey);
      base = events.end(incident, v.at, attributes, options);
    } else {
      const started = events.start(v.type, Math.round(v.startedAt), attributes, options);
      if (v.ends) this.open.set(v.incidentKey, started.incident);
      base = { ...started.event, frame_at: new Date(v.at).toISOString() };
    }
    const event = { ...base, track_id: v.trackId, evidence, model: this.model };
    const checked = validateMessage('event', event);
    if (!checked.ok) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `traffic rule ${v.type} built an invalid event (a bug in the rule): ${formatIssues(checked.issues)}`);
    return checked.value;
  }
}
