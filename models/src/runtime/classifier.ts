import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../manifest.js';
import { classProbabilities } from '../decoders/classifier.js';
import type { Outputs } from '../decoders/types.js';
import { SerialQueue } from './serial.js';
import type { ModelSession } from './session.js';
import { InputWriter, type FrameInput } from './preprocess.js';

export interface Classification {
  /** Probability per label, in the manifest's label order. */
  probabilities: Record<string, number>;
  /** The most probable label and its probability. */
  top: { label: string; probability: number };
}

export interface Classifier {
  readonly task: 'classify';
  readonly manifest: ModelManifest;
  classify(frames: FrameInput[]): Promise<Classification[]>;
  close(): Promise<void>;
}

export class OnnxClassifier implements Classifier {
  readonly task = 'classify' as const;
  private readonly queue = new SerialQueue();
  private readonly input: InputWriter;

  constructor(readonly manifest: ModelManifest, readonly session: ModelSession) {
    this.input = new InputWriter(manifest.input);
  }

  classify(frames: FrameInput[]): Promise<Classification[]> {
    return this.queue.run(() => this.classifyNow(frames));
  }

  private async classifyNow(frames: FrameInput[]): Promise<Classification[]> {
    const d = this.manifest.decoder;
    if (d.type !== 'softmax' && d.type !== 'sigmoid') throw new Error(`decoder ${d.type} is not a classifier`);
    const batch = this.manifest.input.batch === 'dynamic' ? 8 : this.manifest.input.batch;
    const results: Classification[] = [];
    for (let i = 0; i < frames.length; i += batch) {
      const chunk = frames.slice(i, i + batch);
      await Promise.all(chunk.map((f, k) => this.input.write(f, k, chunk.length)));
      const { width, height, layout, name } = this.manifest.input;
      const dims = layout === 'NCHW' ? [chunk.length, 3, height, width] : [chunk.length, height, width, 3];
      const outputs = (await this.session.run({ [name]: new ort.Tensor('float32', this.input.view(chunk.length), dims) }, [d.output])) as unknown as Outputs;
      for (let b = 0; b < chunk.length; b++) {
        const p = classProbabilities(outputs[d.output]!, b, d.type);
        const probabilities: Record<string, number> = {};
        let best = 0;
        p.forEach((v, c) => {
          probabilities[this.manifest.labels[c] ?? `class-${c}`] = v;
          if (v > p[best]!) best = c;
        });
        results.push({ probabilities, top: { label: this.manifest.labels[best] ?? `class-${best}`, probability: p[best]! } });
      }
    }
    return results;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
