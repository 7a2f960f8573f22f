import type { Detection, Detector, RawFrame } from '@vigil/models';
import type { Frame } from '../source/frame.js';

export interface InferenceResult {
  camera: string;
  seq: number;
  at: number;
  detections: Detection[];
  /** How many frames (cameras) shared the onnxruntime run this result came from. */
  batchSize: number;
}

export interface SharedDetectorStats {
  runs: number;
  frames: number;
  /** Frames replaced by a newer frame of the same camera before their turn came. */
  superseded: number;
}

/**
 * The inference stage shared by all cameras of a gateway: one detector, one run at a time. While a
 * run is in progress each camera's newest frame waits; older waiting frames of the same camera are
 * dropped (their promise resolves to undefined), so latency never grows behind a slow model. When
 * the run ends, the waiting frames go through the next runs in arrival order, up to maxBatch frames
 * per run (one batch when the model's batch is dynamic).
 */
export class SharedDetector {
  private readonly waiting = new Map<string, { frame: Frame; resolve: (r: InferenceResult | undefined) => void; reject: (e: unknown) => void }>();
  private running = false;
  private readonly counters: SharedDetectorStats = { runs: 0, frames: 0, superseded: 0 };

  /**
   * maxBatch: most frames per run. Default 1 (cameras take turns, one frame per run): on the 2-core
   * gateway CPU a batch of 2 cost as much or more per frame than two single runs in bench/inference
   * (docs/benchmarks.md, bench:inference). Raise it where measurement shows a gain (e.g. a GPU).
   */
  constructor(private readonly detector: Detector, private readonly options: { minScore?: number; maxBatch?: number } = {}) {}

  detect(frame: Frame): Promise<InferenceResult | undefined> {
    return new Promise((resolve, reject) => {
      const previous = this.waiting.get(frame.camera);
      if (previous) {
        this.counters.superseded++;
        previous.resolve(undefined);
      }
      this.waiting.set(frame.camera, { frame, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Start on the next turn of the event loop so frames of other cameras arriving now join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  stats(): SharedDetectorStats {
    return { ...this.counters };
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.size > 0) {
        const batch = [...this.waiting.values()].slice(0, this.options.maxBatch ?? 1);
        for (const w of batch) this.waiting.delete(w.frame.camera);
        try {
          const results = await this.detector.detect(batch.map((w) => toRawFrame(w.frame)), this.options.minScore !== undefined ? { minScore: this.options.minScore } : {});
          this.counters.runs++;
          this.counters.frames += batch.length;
          batch.forEach((w, i) => w.resolve({ camera: w.frame.camera, seq: w.frame.seq, at: w.frame.at, detections: results[i]!, batchSize: batch.length }));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

export function toRawFrame(frame: Frame): RawFrame {
  return { data: frame.data, width: frame.width, height: frame.height, channels: frame.format === 'gray' ? 1 : 3 };
}
