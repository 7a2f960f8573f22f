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

export const FIRE_SMOKE_MODEL = 'fire-smoke';
export const WATER_MODEL = 'water';

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
  if (wants.fireSmoke) out.models.fireSmoke = await attempt(FIRE_SMOKE_MODEL, () => loadDetector(FIRE_SMOKE_MODEL, { threads }), 'fire analytics are off');
  if (wants.water) {
    out.models.water = await attempt(
      WATER_MODEL,
      async () => {
        const m = await loadModel(WATER_MODEL, { threads });
        if (!(m instanceof OnnxSegmenter)) throw new Error(`"${WATER_MODEL}" is a ${m.manifest.task} model, not a segmenter`);
        return m;
      },
      'flood reads the gauge from the image alone',
    );
  }
  return out;
}

export interface BuiltinAnalytics {
  factories: AnalyticFactory[];
  evidence: EvidenceStore;
  /** Where the file behind an evidence reference is on this gateway, for the publisher. */
  evidencePath(ref: EvidenceRef): string | undefined;
}

/**
 * The analytic families the edge agent offers each camera (camera health runs inside the pipeline for
 * every camera). Each family decides from the camera config whether it runs on that camera; a family
 * whose model is missing is left out and the reason logged once.
 */
export async function builtinAnalytics(config: GatewayConfig, models: EdgeModels, logger: Logger = createLogger('edge')): Promise<BuiltinAnalytics> {
  const evidenceDir = join(config.storage.dir, 'evidence');
  const trafficDir = join(config.storage.dir, 'evidence-traffic');
  const evidence = await EvidenceStore.open({
    dir: evidenceDir,
    maxBytes: config.storage.evidence_max_mb * 1024 * 1024,
    retentionMs: config.storage.retention_days * 86_400_000,
  });
  const recorder = (camera: CameraConfig) => new EvidenceRecorder({ store: evidence, preS: 3, postS: 2, fps: Math.min(5, camera.detect.fps) });
  const factories: AnalyticFactory[] = [FloodStage.factory((camera) => ({ evidence: recorder(camera), ...(models.water ? { segment: segmenterWater(models.water) } : {}) }))];
  if (models.fireSmoke) {
    const fire = models.fireSmoke;
    factories.push(FireStage.factory((camera) => ({ detect: detectorFire(fire), evidence: recorder(camera) })));
  } else {
    factories.push(warnOnce(logger, 'fire', (c) => Boolean(c.analytics.fire), `the ${FIRE_SMOKE_MODEL} model is missing: fire analytics are off on this camera`));
  }
  if (models.objects) {
    const detector = models.objects;
    factories.push((camera) => (camera.analytics.traffic ? new TrafficAnalytic(camera, { detector, evidenceDir: trafficDir }) : undefined));
  } else {
    factories.push(warnOnce(logger, 'traffic', (c) => Boolean(c.analytics.traffic), `the ${config.inference.detector} detector is missing: traffic analytics are off on this camera`));
  }
  return {
    factories,
    evidence,
    evidencePath(ref) {
      const ext = ref.content_type === 'video/mp4' ? 'mp4' : 'jpg';
      for (const dir of [evidenceDir, trafficDir]) {
        const path = join(dir, `${ref.sha256}.${ext}`);
        if (existsSync(path)) return path;
      }
      return undefined;
    },
  };
}

/** A factory that adds nothing, but says once per camera why an analytic the config asks for is off. */
function warnOnce(logger: Logger, name: string, wanted: (c: CameraConfig) => boolean, message: string): AnalyticFactory {
  return (camera) => {
    if (wanted(camera)) logger.warn({ camera: camera.id, analytic: name }, message);
    return undefined;
  };
}
