import { MODELS_DIR, ensureVerifiedFile, readModelEntry, type ModelEntry } from '../registry.js';
import { OnnxClassifier, type Classifier } from './classifier.js';
import { OnnxDetector, type Detector } from './detector.js';
import { OnnxSegmenter, type Segmenter } from './segmenter.js';
import { createOrtSession, openSession, type ModelSession, type SessionOptions } from './session.js';
import { ChainedSession, checkChain } from './backbone.js';
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
  const session = entry.manifest.backbone ? await openChain(entry, options) : await openSession(entry, options);
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

/** A head on a shared backbone: open the backbone's (possibly generated) file, then the head's, and check they fit. */
async function openChain(entry: ModelEntry, options: LoadOptions): Promise<ModelSession> {
  const link = entry.manifest.backbone!;
  const backbone = await readModelEntry(link.model, options.modelsDir ?? MODELS_DIR);
  if (backbone.manifest.backbone) {
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `Model "${entry.manifest.name}": its backbone "${link.model}" is itself a head on "${backbone.manifest.backbone.model}"; chain heads to the model that computes the features.`);
  }
  await ensureVerifiedFile(backbone);
  const backboneSession = await openSession(backbone, options);
  try {
    const headSession = await createOrtSession(entry.onnxPath, entry.manifest, options);
    try {
      checkChain(entry, backbone, backboneSession, headSession);
    } catch (err) {
      await headSession.release();
      throw err;
    }
    return new ChainedSession(backboneSession, headSession, link);
  } catch (err) {
    await backboneSession.release();
    throw err;
  }
}
