import { MODELS_DIR, ensureVerifiedFile, readModelEntry } from '../registry.js';
import { OnnxClassifier, type Classifier } from './classifier.js';
import { OnnxDetector, type Detector } from './detector.js';
import { OnnxSegmenter, type Segmenter } from './segmenter.js';
import { openSession, type SessionOptions } from './session.js';
import { VigilError } from '@vigil/contracts';

export type Model = Detector | Classifier | Segmenter;

export interface LoadOptions extends SessionOptions {
  /** Folder holding <name>/model.json (default: the repository's models/). */
  modelsDir?: string;
}

/**
 * Loads a model by name: reads and checks its manifest, builds the ONNX file if it is generated,
 * verifies the sha256, opens an onnxruntime session and checks the input shape. Every failure is a
 * VigilError naming the file and the fix.
 */
export async function loadModel(name: string, options: LoadOptions = {}): Promise<Model> {
  const entry = await readModelEntry(name, options.modelsDir ?? MODELS_DIR);
  await ensureVerifiedFile(entry);
  const session = await openSession(entry, options);
  switch (entry.manifest.task) {
    case 'detect': return new OnnxDetector(entry.manifest, session);
    case 'classify': return new OnnxClassifier(entry.manifest, session);
    case 'segment': return new OnnxSegmenter(entry.manifest, session);
  }
}

/** loadModel for callers that need a detector (the edge agent's inference stage). */
export async function loadDetector(name: string, options: LoadOptions = {}): Promise<OnnxDetector> {
  const model = await loadModel(name, options);
  if (!(model instanceof OnnxDetector)) {
    await model.close();
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `Model "${name}" is a ${model.manifest.task} model, not a detector. Pick a detection model (vigil models list).`);
  }
  return model;
}
