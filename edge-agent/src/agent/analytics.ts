import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CameraConfig, EvidenceRef, GatewayConfig } from '@vigil/contracts';
import { loadDetector, loadModel, OnnxSegmenter, type Detector, type Segmenter } from '@vigil/models';
import { createLogger, type Logger } from '@vigil/observe';
import { FireStage, detectorFire } from '../analytics/fire/fire-stage.js';
import { FloodStage, segmenterWater } from '../analytics/flood/flood-stage.js';
import { TrafficAnalytic } from '../analytics/traffic/traffic-analytic.js';
import { EvidenceRecorder } from '../evidence/evidence-recorder.js';
import { EvidenceStore } from '../evidence/evidence-store.js';
import type { AnalyticFactory } from '../pipeline/analytic.js';

/** The models the built-in analytics use; each is optional and its absence is reported, not faked. */
export interface EdgeModels {
  /** Road users for traffic (config inference.detector, default centernet-coco). */
  objects?: Detector;
  /** Vigil's own fire and smoke detector. */
  fireSmoke?: Detector;
  /** Vigil's own water segmentation (without it the gauge is read from the image alone). */
  water?: Segmenter;
}


export interface LoadedModels {
  models: EdgeModels;
  versions: Record<string, string>;
  /** One line per analytic that runs without its model, with the reason. */
  missing: string[];
}

/** Loads only the models the config's analytics need; a model that cannot load is reported with its error. */
export async function loadEdgeModels(config: GatewayConfig, threads = config.inference.threads): Promise<LoadedModels> {
  const cameras = config.cameras.filter((c) => c.enabled);
  const wants = {
    objects: cameras.some((c) => c.analytics.traffic),
    fireSmoke: cameras.some((c) => c.analytics.fire),
    water: cameras.some((c) => c.analytics.flood),
  };
  const out: LoadedModels = { models: {}, versions: {}, missing: [] };
  const attempt = async <T extends { manifest: { name: string; version: string } }>(name: string, load: () => Promise<T>, what: string): Promise<T | undefined> => {
    try {
      const model = await load();
      out.versions[model.manifest.name] = model.manifest.version;
      return model;
    } catch (err) {
      out.missing.push(`${what}: model "${name}" is not available (${(err as Error).message})`);
      return undefined;
    }
  };
  if (wants.objects) out.models.objects = await attempt(config.inference.detector, () => loadDetector(config.inference.detector, { threads }), 'traffic analytics are off');
  if (wants.fireSmoke) out.models.fireSmoke = await attempt(config.inference.fire, () => loadDetector(config.inference.fire, { threads }), 'fire analytics are off');
  if (wants.water) {
    const name = config.inference.water;
    out.models.water = await attempt(
      name,
      async () => {
        const m = await loadModel(name, { threads });
        if (!(m instanceof OnnxSegmenter)) throw new Error(`"${name}" is a ${m.manifest.task} model, not a segmenter; set inference.water to a segmentation model (water or water-lite)`);
        return m;
      },
      'flood reads the gauge from the image alone',
    );
  }
  return out;
}

export interface BuiltinAnalyticsOptions {
  logger?: Logger;
  /** Where flood and fire evidence goes (openEdgeEvidence); without it events carry none. */
  evidenceStore?: EvidenceStore;
  /** Our fire-smoke detector; fire runs only when it is given. */
  fireDetector?: Detector;
  /** Our water segmenter; without it the flood gauge is read from the image alone. */
  waterSegmenter?: Segmenter;
  /** The road-user detector (config inference.detector); traffic runs only when it is given. */
  objectDetector?: Detector;
  /** Offline processing (vigil process): every event waits for its clip instead of encoding in the background. */
  offline?: boolean;
}

/**
 * The analytic families the edge agent offers each camera (camera health runs inside the pipeline for
 * every camera). Each family decides from the camera config whether it runs on that camera; a family
 * whose model is missing adds nothing and says so once per camera that asks for it.
 */
export function builtinAnalytics(options: BuiltinAnalyticsOptions = {}): AnalyticFactory[] {
  const { evidenceStore: store, fireDetector, waterSegmenter, objectDetector, logger } = options;
  const recorder = (camera: CameraConfig) =>
    store
      ? {
          evidence: new EvidenceRecorder({
            store,
            fps: Math.min(5, camera.detect.fps),
            encodeInBackground: !options.offline,
            onClipError: (err, e) => logger?.warn({ err, event: e.id }, 'evidence clip failed; the event keeps its snapshot'),
          }),
        }
      : {};
  const factories: AnalyticFactory[] = [FloodStage.factory((camera) => ({ ...recorder(camera), ...(waterSegmenter ? { segment: segmenterWater(waterSegmenter) } : {}) }))];
  if (fireDetector) factories.push(FireStage.factory((camera) => ({ detect: detectorFire(fireDetector), ...recorder(camera) })));
  else factories.push(warnOnce(logger, 'fire', (c) => Boolean(c.analytics.fire), 'the fire model (inference.fire) is missing: fire analytics are off on this camera'));
  if (objectDetector) {
    factories.push((camera) =>
      camera.analytics.traffic
        ? new TrafficAnalytic(camera, {
            detector: objectDetector,
            // the gateway's store bounds traffic evidence by the same disk budget and retention as the rest
            ...(store ? { evidenceStore: store } : {}),
          })
        : undefined,
    );
  } else {
    factories.push(warnOnce(logger, 'traffic', (c) => Boolean(c.analytics.traffic), 'the object detector is missing: traffic analytics are off on this camera'));
  }
  return factories;
}

export interface EdgeEvidence {
  store: EvidenceStore;
  /** Where the file behind an evidence reference is on this gateway, for the publisher. */
  pathOf(ref: EvidenceRef): string | undefined;
}

/** The gateway's evidence folders under storage.dir, bounded by storage.evidence_max_mb and retention_days. */
export async function openEdgeEvidence(config: GatewayConfig): Promise<EdgeEvidence> {
  const dir = join(config.storage.dir, 'evidence');
  const store = await EvidenceStore.open({ dir, maxBytes: config.storage.evidence_max_mb * 1024 * 1024, retentionMs: config.storage.retention_days * 86_400_000 });
  return {
    store,
    pathOf(ref) {
      const ext = ref.content_type === 'video/mp4' ? 'mp4' : 'jpg';
      const path = join(dir, `${ref.sha256}.${ext}`);
      return existsSync(path) ? path : undefined;
    },
  };
}

/** A factory that adds nothing, but says why an analytic the camera config asks for is off. */
function warnOnce(logger: Logger | undefined, name: string, wanted: (c: CameraConfig) => boolean, message: string): AnalyticFactory {
  return (camera) => {
    if (wanted(camera)) (logger ?? createLogger('edge')).warn({ camera: camera.id, analytic: name }, message);
    return undefined;
  };
}
