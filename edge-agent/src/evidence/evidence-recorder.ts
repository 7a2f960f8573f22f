import { rm } from 'node:fs/promises';
import { formatIssues, validateMessage, VigilError, type EvidenceRef, type VigilEvent } from '@vigil/contracts';
import type { ImageView } from '../analytics/flood/water-level-estimator.js';
import { encodeClip } from './clip.js';
import type { EvidenceStore } from './evidence-store.js';
import { FrameRing } from './frame-ring.js';
import { annotateSnapshot, type SnapshotAnnotation } from './snapshot.js';

export interface EvidenceRecorderOptions {
  store: EvidenceStore;
  /** Seconds of video before and after the event in its clip. */
  preS?: number;
  postS?: number;
  /** Clip frame rate (frames are taken from the camera at up to this rate). */
  fps?: number;
  ffmpeg?: string;
  jpegQuality?: number;
  /**
   * Live cameras (default): clips encode in the background and `take` hands events out once done, so
   * the camera's frames keep flowing during the ~1 s ffmpeg run. Offline processing passes false:
   * `take` waits for each clip, so every event of a file gets its clip before the stream ends.
   */
  encodeInBackground?: boolean;
  /** A clip could not be encoded: the event still leaves, with its snapshot only. */
  onClipError?: (error: unknown, event: VigilEvent) => void;
}

interface Pending {
  event: VigilEvent;
  refs: EvidenceRef[];
  until: number;
  from: number;
  encoding?: Promise<void>;
  /** The clip's ref once encoded; null when there was nothing to encode or ffmpeg failed. */
  clip?: EvidenceRef | null;
}

/**
 * Evidence for events, in the order the events happened: every start and update gets an annotated JPEG
 * at once and an H.264 clip of `preS` seconds before to `postS` seconds after it, cut from a ring
 * buffer of the camera's frames. An event leaves (`take`) only when its clip is written, so each
 * message carries all its evidence refs (sha256, size); ends carry none and wait behind earlier events
 * so the order start < update < end holds. Costs: a JPEG encode per event, an ffmpeg run per clip.
 */
export class EvidenceRecorder {
  private readonly ring: FrameRing;
  private readonly queue: (Pending | { event: VigilEvent; ready: true })[] = [];
  private readonly preMs: number;
  private readonly postMs: number;
  private readonly fps: number;
  private lastAt = -Infinity;

  constructor(private readonly options: EvidenceRecorderOptions) {
    this.preMs = (options.preS ?? 3) * 1000;
    this.postMs = (options.postS ?? 2) * 1000;
    this.fps = options.fps ?? 5;
    this.ring = new FrameRing((this.preMs + this.postMs) / 1000 + 1, this.fps);
  }

  /** Every frame of the camera goes through here (cheap: a copy at most `fps` times a second). */
  push(at: number, image: ImageView): void {
    this.ring.push(at, image);
    this.lastAt = Math.max(this.lastAt, at);
  }

  /** Queues an event; starts and updates get a snapshot now and a clip once the post-roll is in. */
  async record(event: VigilEvent, image: ImageView, annotation: Omit<SnapshotAnnotation, 'camera' | 'at' | 'label' | 'boxes'> = {}): Promise<void> {
    if (event.phase === 'end') {
      this.queue.push({ event, ready: true });
      return;
    }
    const at = Date.parse(event.frame_at);
    const jpeg = await annotateSnapshot(
      image,
      { camera: event.camera, at, label: `${event.type} · ${event.phase}${event.zone ? ` · ${event.zone}` : ''}`, boxes: event.boxes, ...annotation },
      this.options.jpegQuality,
    );
    const snapshot = await this.options.store.put(jpeg, 'jpg', 'snapshot', 'image/jpeg', at);
    this.queue.push({ event, refs: [snapshot.ref], from: at - this.preMs, until: at + this.postMs });
  }

  /**
   * Events whose evidence is complete, oldest first, with their refs attached. `flush` (end of stream)
   * cuts pending clips short with the frames there are.
   */
  async take(flush = false): Promise<VigilEvent[]> {
    const out: VigilEvent[] = [];
    while (this.queue.length) {
      const head = this.queue[0]!;
      if ('ready' in head) {
        out.push(head.event);
        this.queue.shift();
        continue;
      }
      if (!head.encoding) {
        if (!flush && this.lastAt < head.until) break;
        head.encoding = this.clip(head).then(
          (ref) => void (head.clip = ref ?? null),
          (err: unknown) => {
            head.clip = null;
            this.options.onClipError?.(err, head.event);
          },
        );
      }
      if (head.clip === undefined) {
        if (!flush && this.options.encodeInBackground !== false) break;
        await head.encoding;
      }
      out.push(withEvidence(head.event, head.clip ? [...head.refs, head.clip] : head.refs));
      this.queue.shift();
    }
    return out;
  }

  /**
   * Synchronous end of stream (the pipeline's `finish` cannot wait for ffmpeg): every queued event
   * leaves now with the refs it has: the snapshot, and the clip only if it was already encoded.
   */
  drainWithoutClips(): VigilEvent[] {
    const out = this.queue.map((q) => ('ready' in q ? q.event : withEvidence(q.event, q.clip ? [...q.refs, q.clip] : q.refs)));
    this.queue.length = 0;
    return out;
  }

  get pending(): number {
    return this.queue.length;
  }

  private async clip(p: Pending): Promise<EvidenceRef | undefined> {
    const frames = this.ring.between(p.from, p.until);
    if (frames.length === 0) return undefined;
    const partial = this.options.store.partialPath('mp4');
    try {
      await encodeClip(frames, partial, { fps: this.fps, ...(this.options.ffmpeg ? { ffmpeg: this.options.ffmpeg } : {}) });
      return (await this.options.store.adopt(partial, 'mp4', 'clip', 'video/mp4', Date.parse(p.event.frame_at))).ref;
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
  }
}

function withEvidence(event: VigilEvent, refs: EvidenceRef[]): VigilEvent {
  const next = { ...event, evidence: [...event.evidence, ...refs].slice(0, 16) };
  const checked = validateMessage('event', next);
  if (!checked.ok) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `evidence refs made an invalid event (a bug here): ${formatIssues(checked.issues)}`);
  return checked.value;
}
