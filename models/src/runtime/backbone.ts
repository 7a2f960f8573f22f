import * as ort from 'onnxruntime-node';
import { VigilError } from '@vigil/contracts';
import type { ModelManifest } from '../manifest.js';
import type { ModelEntry } from '../registry.js';
import type { ModelSession } from './session.js';

/**
 * A head trained on a frozen backbone, run as one model: the backbone's graph (e.g. the CenterNet
 * converted from @vladmandic/human at first use, whose weights we may not ship) computes features from
 * the image, and our committed head file turns them into outputs. The handoff is a few in-process
 * tensors (~1.5 MB for the water head), which costs far less than either graph.
 */
export class ChainedSession implements ModelSession {
  constructor(
    private readonly backbone: ort.InferenceSession,
    private readonly head: ort.InferenceSession,
    private readonly link: NonNullable<ModelManifest['backbone']>,
  ) {}

  async run(feeds: ort.InferenceSession.OnnxValueMapType, fetches: readonly string[]): Promise<ort.InferenceSession.OnnxValueMapType> {
    const links = Object.entries(this.link.features);
    const features = await this.backbone.run(feeds, links.map(([, output]) => output));
    return this.head.run(Object.fromEntries(links.map(([input, output]) => [input, features[output]!])), fetches);
  }

  async release(): Promise<void> {
    await Promise.all([this.backbone.release(), this.head.release()]);
  }
}

/**
 * Checks that a head's manifest and its backbone agree before anything runs: same image input, the
 * backbone's graph has the named output and the head's graph the named input. Each mismatch names the
 * field to fix.
 */
export function checkChain(head: ModelEntry, backbone: ModelEntry, backboneSession: ort.InferenceSession, headSession: ort.InferenceSession): void {
  const link = head.manifest.backbone!;
  const where = `Model "${head.manifest.name}" (backbone "${backbone.manifest.name}")`;
  const a = head.manifest.input;
  const b = backbone.manifest.input;
  const differs: string[] = [
    ...(['name', 'layout', 'width', 'height', 'colour', 'resize'] as const).filter((k) => a[k] !== b[k]),
    ...(['mean', 'std'] as const).filter((k) => a[k].some((v, i) => v !== b[k][i])),
  ];
  if (differs.length > 0) {
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `${where}: input ${differs.join(', ')} differ from the backbone's model.json; the head was trained on the backbone's input, so copy the backbone's input block into ${head.dir}/model.json.`);
  }
  for (const [input, output] of Object.entries(link.features)) {
    if (!backboneSession.outputNames.includes(output)) {
      throw new VigilError('VIGIL_ERR_MODEL_INPUT', `${where}: the backbone's graph has outputs ${backboneSession.outputNames.join(', ')}, not "${output}". Fix backbone.features in ${head.dir}/model.json.`);
    }
    if (!headSession.inputNames.includes(input)) {
      throw new VigilError('VIGIL_ERR_MODEL_INPUT', `${where}: the head's graph inputs are ${headSession.inputNames.join(', ')}, not "${input}". Fix backbone.features in ${head.dir}/model.json.`);
    }
  }
  const unfed = headSession.inputNames.filter((n) => !(n in link.features));
  if (unfed.length > 0) {
    throw new VigilError('VIGIL_ERR_MODEL_INPUT', `${where}: the head's graph inputs ${unfed.join(', ')} get no backbone output. Map each in backbone.features in ${head.dir}/model.json.`);
  }
}
