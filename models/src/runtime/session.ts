import * as ort from 'onnxruntime-node';
import { VigilError } from '@vigil/contracts';
import type { ModelManifest } from '../manifest.js';
import type { ModelEntry } from '../registry.js';

export interface SessionOptions {
  /** onnxruntime intra-op threads (default 1: the edge box runs several cameras and other stages). */
  threads?: number;
}

/** What the model classes need of a session: onnxruntime's own, or a backbone chained to a head. */
export interface ModelSession {
  run(feeds: ort.InferenceSession.OnnxValueMapType, fetches: readonly string[]): Promise<ort.InferenceSession.OnnxValueMapType>;
  release(): Promise<void>;
}

/** Creates an onnxruntime session for a model's file; a file onnxruntime rejects is named with the fix. */
export async function createOrtSession(onnxPath: string, manifest: ModelManifest, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(onnxPath, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Third-party exports warn about initialisers listed as inputs; that is noise for operators.
      logSeverityLevel: 3,
    });
  } catch (err) {
    throw new VigilError('VIGIL_ERR_MODEL_CORRUPT', `Model "${manifest.name}": onnxruntime cannot load ${onnxPath} (${firstLine((err as Error).message)}). The file is damaged or not ONNX; replace it (source: ${manifest.source.url}).`, { cause: err });
  }
}

/** Opens an onnxruntime session and checks that the graph's input matches the manifest. */
export async function openSession(entry: ModelEntry, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const { manifest, onnxPath } = entry;
  const session = await createOrtSession(onnxPath, manifest, options);
  const spec = manifest.input;
  if (!session.inputNames.includes(spec.name)) {
    throw new VigilError('VIGIL_ERR_MODEL_INPUT', `Model "${manifest.name}": the graph's inputs are ${session.inputNames.join(', ')}, not "${spec.name}". Fix input.name in model.json.`);
  }
  const meta = session.inputMetadata.find((m) => m.name === spec.name);
  const shape = meta && meta.isTensor ? meta.shape : undefined;
  if (shape && shape.length === 4) {
    const [h, w] = spec.layout === 'NCHW' ? [shape[2], shape[3]] : [shape[1], shape[2]];
    const channels = spec.layout === 'NCHW' ? shape[1] : shape[3];
    const fixed = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;
    if ((fixed(h) && h !== spec.height) || (fixed(w) && w !== spec.width) || (fixed(channels) && channels !== 3)) {
      throw new VigilError('VIGIL_ERR_MODEL_INPUT', `Model "${manifest.name}": the graph's input "${spec.name}" is [${shape.join(',')}] (${spec.layout}) but model.json says ${spec.width}x${spec.height}x3. Fix input.width/height/layout in model.json to match the file.`);
    }
    const batch = shape[0];
    if (spec.batch === 'dynamic' && fixed(batch)) {
      throw new VigilError('VIGIL_ERR_MODEL_INPUT', `Model "${manifest.name}": model.json says the batch is dynamic but the graph fixes it to ${batch}. Set input.batch to ${batch}.`);
    }
  } else if (shape) {
    throw new VigilError('VIGIL_ERR_MODEL_INPUT', `Model "${manifest.name}": the graph's input "${spec.name}" has rank ${shape.length}; an image input of rank 4 is expected.`);
  }
  return session;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
