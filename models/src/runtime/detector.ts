import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../manifest.js';
import { CenternetDecoder } from '../decoders/centernet.js';
import { NanodetDecoder } from '../decoders/nanodet.js';
import { classwiseNms } from '../decoders/nms.js';
import type { DetectionDecoder, Outputs } from '../decoders/types.js';
import { YoloxDecoder } from '../decoders/yolox.js';
import { Yolov8Decoder } from '../decoders/yolov8.js';
import { SerialQueue } from './serial.js';
import type { ModelSession } from './session.js';
import { InputWriter, toSourceBox, type FrameInput, type Placement } from './preprocess.js';

/** One detected object; box is [x1, y1, x2, y2] normalised to the source image (0..1). */
export interface Detection {
  label: string;
  classIndex: number;
  score: number;
  box: [number, number, number, number];
}

export interface DetectOptions {
  /** Minimum score (default: the manifest's thresholds.score). */
  minScore?: number;
}

export interface Detector {
  readonly task: 'detect';
  readonly manifest: ModelManifest;
  /** Detections per frame, in the order given; frames of several cameras may share one run. */
  detect(frames: FrameInput[], options?: DetectOptions): Promise<Detection[][]>;
  close(): Promise<void>;
}

/** Largest batch put through one run when the graph's batch is dynamic. */
const MAX_BATCH = 8;

export function decoderFor(manifest: ModelManifest): DetectionDecoder {
  const d = manifest.decoder;
  const { width, height } = manifest.input;
  switch (d.type) {
    case 'yolox': return new YoloxDecoder(d, width, height);
    case 'nanodet': return new NanodetDecoder(d, width, height);
    case 'centernet': return new CenternetDecoder(d);
    case 'yolov8': return new Yolov8Decoder(d);
    default: throw new Error(`decoder ${d.type} is not a detection decoder`);
  }
}

export class OnnxDetector implements Detector {
  readonly task = 'detect' as const;
  private readonly queue = new SerialQueue();
  readonly decoder: DetectionDecoder;
  readonly input: InputWriter;
  readonly maxBatch: number;

  constructor(readonly manifest: ModelManifest, readonly session: ModelSession) {
    this.decoder = decoderFor(manifest);
    this.input = new InputWriter(manifest.input);
    this.maxBatch = manifest.input.batch === 'dynamic' ? MAX_BATCH : manifest.input.batch;
  }

  detect(frames: FrameInput[], options: DetectOptions = {}): Promise<Detection[][]> {
    return this.queue.run(() => this.detectNow(frames, options));
  }

  private async detectNow(frames: FrameInput[], options: DetectOptions = {}): Promise<Detection[][]> {
    const results: Detection[][] = [];
    for (let i = 0; i < frames.length; i += this.maxBatch) {
      const chunk = frames.slice(i, i + this.maxBatch);
      const { feeds, placements } = await this.prepare(chunk);
      const outputs = await this.session.run(feeds, this.decoder.outputNames as string[]);
      results.push(...this.decodeBatch(outputs as unknown as Outputs, placements, options));
    }
    return results;
  }

  /** Preprocesses frames into the reused input buffer (one batch, at most maxBatch frames). */
  async prepare(frames: FrameInput[]): Promise<{ feeds: Record<string, ort.Tensor>; placements: Placement[] }> {
    const n = frames.length;
    const placements = await Promise.all(frames.map((f, i) => this.input.write(f, i, n)));
    const { width, height, layout, name } = this.manifest.input;
    const dims = layout === 'NCHW' ? [n, 3, height, width] : [n, height, width, 3];
    return { feeds: { [name]: new ort.Tensor('float32', this.input.view(n), dims) }, placements };
  }

  decodeBatch(outputs: Outputs, placements: Placement[], options: DetectOptions = {}): Detection[][] {
    const t = this.manifest.thresholds;
    const minScore = options.minScore ?? t.score;
    return placements.map((placement, b) => {
      const kept = classwiseNms(this.decoder.decode(outputs, b, minScore), t.iou ?? 0.5, t.maxDetections ?? 100);
      return kept.map((c) => ({
        label: this.manifest.labels[c.classIndex] ?? `class-${c.classIndex}`,
        classIndex: c.classIndex,
        score: c.score,
        box: toSourceBox([c.x1, c.y1, c.x2, c.y2], placement),
      }));
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
