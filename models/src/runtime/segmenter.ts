import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../manifest.js';
import { foregroundMask } from '../decoders/segmentation.js';
import type { Outputs } from '../decoders/types.js';
import { SerialQueue } from './serial.js';
import type { ModelSession } from './session.js';
import { InputWriter, type FrameInput, type Placement } from './preprocess.js';

export interface Segmentation {
  /** Fraction of the source image that is foreground (e.g. water), 0..1. */
  coverage: number;
  /** Binary mask (1 = foreground) over the part of the model output that covers the source image. */
  mask: Uint8Array;
  width: number;
  height: number;
}

export interface Segmenter {
  readonly task: 'segment';
  readonly manifest: ModelManifest;
  segment(frames: FrameInput[]): Promise<Segmentation[]>;
  close(): Promise<void>;
}

export class OnnxSegmenter implements Segmenter {
  readonly task = 'segment' as const;
  private readonly queue = new SerialQueue();
  private readonly input: InputWriter;

  constructor(readonly manifest: ModelManifest, readonly session: ModelSession) {
    this.input = new InputWriter(manifest.input);
  }

  segment(frames: FrameInput[]): Promise<Segmentation[]> {
    return this.queue.run(() => this.segmentNow(frames));
  }

  private async segmentNow(frames: FrameInput[]): Promise<Segmentation[]> {
    const d = this.manifest.decoder;
    if (d.type !== 'segmentation-mask') throw new Error(`decoder ${d.type} is not a segmentation decoder`);
    const results: Segmentation[] = [];
    for (const frame of frames) {
      const placement = await this.input.write(frame, 0, 1);
      const { width, height, layout, name } = this.manifest.input;
      const dims = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
      const outputs = (await this.session.run({ [name]: new ort.Tensor('float32', this.input.view(1), dims) }, [d.output])) as unknown as Outputs;
      const full = foregroundMask(outputs[d.output]!, 0, d.foreground, this.manifest.thresholds.score);
      results.push(cropToSource(full, placement, width, height));
    }
    return results;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Cuts the letterbox padding off a mask at output resolution (which may be a fraction of the input's). */
export function cropToSource(full: { mask: Uint8Array; width: number; height: number }, p: Placement, inputWidth: number, inputHeight: number): Segmentation {
  const fx = full.width / inputWidth;
  const fy = full.height / inputHeight;
  const x0 = Math.round(p.offsetX * fx);
  const y0 = Math.round(p.offsetY * fy);
  const w = Math.max(1, Math.round(p.sourceWidth * p.scaleX * fx));
  const h = Math.max(1, Math.round(p.sourceHeight * p.scaleY * fy));
  const mask = new Uint8Array(w * h);
  let on = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = full.mask[Math.min(full.height - 1, y0 + y) * full.width + Math.min(full.width - 1, x0 + x)]!;
    mask[y * w + x] = v;
    on += v;
  }
  return { coverage: on / (w * h), mask, width: w, height: h };
}
