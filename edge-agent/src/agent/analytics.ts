import type { Detector, Segmenter } from '@vigil/models';
import type { Logger } from '@vigil/observe';
import { detectorFire, FireStage } from '../analytics/fire/fire-stage.js';
import { FloodStage, segmenterWater } from '../analytics/flood/flood-stage.js';
import { EvidenceRecorder } from '../evidence/evidence-recorder.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';
import type { AnalyticFactory } from '../pipeline/analytic.js';

export interface BuiltinAnalyticsOptions {
  logger?: Logger;
  /** Where flood and fire evidence goes (EvidenceStore.open with storage.dir); without it events carry none. */
  evidenceStore?: EvidenceStore;
  /** Our fire-smoke detector (loadDetector('fire-smoke')); fire runs only when it is given. */
  fireDetector?: Detector;
  /** Our water segmenter; without it the flood gauge is read from the image alone. */
  waterSegmenter?: Segmenter;
}

/**
 * The analytic families the edge agent offers each camera. Camera health runs on every camera inside
 * the pipeline itself; flood, fire and traffic are added here as their stages land.
 */
export function builtinAnalytics(options: BuiltinAnalyticsOptions = {}): AnalyticFactory[] {
  const { evidenceStore: store, fireDetector, waterSegmenter, logger } = options;
  const recorder = () => (store ? { evidence: new EvidenceRecorder({ store, onClipError: (err, e) => logger?.warn({ err, event: e.id }, 'evidence clip failed') }) } : {});
  const factories: AnalyticFactory[] = [FloodStage.factory(() => ({ ...recorder(), ...(waterSegmenter ? { segment: segmenterWater(waterSegmenter) } : {}) }))];
  if (fireDetector) factories.push(FireStage.factory(() => ({ detect: detectorFire(fireDetector), ...recorder() })));
  return factories;
}
