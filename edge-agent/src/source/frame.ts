import type { PixelFormat } from './ffmpeg-args.js';
import type { OfflineReason } from './stderr-reasons.js';

/** One decoded picture at the camera's detect size. */
export interface Frame {
  camera: string;
  /** Frames decoded by this source since it started, from 0, across reconnects; gaps mean drops. */
  seq: number;
  /** Capture time, epoch ms: wall clock for live sources, start time + stream position for offline files. */
  at: number;
  /** Position in the stream, ms since this source started delivering (offline files: video time). */
  ptsMs: number;
  width: number;
  height: number;
  format: PixelFormat;
  /** Packed pixels, row by row: 3 bytes per pixel for rgb24, 1 for gray. */
  data: Buffer;
}

export type SourceState = 'starting' | 'ok' | 'offline' | 'ended';

export interface SourceStatus {
  camera: string;
  state: SourceState;
  at: number;
  reason?: OfflineReason;
  detail?: string;
  restarts: number;
}

export interface SourceCounters {
  decoded: number;
  delivered: number;
  dropped: number;
  decodeErrors: number;
  restarts: number;
}

/**
 * The first pipeline stage: frames of one camera as an async generator. A live source never ends on
 * its own (it reconnects); a file source ends at the end of the file, or throws a VigilError when
 * the file cannot be read.
 */
export interface FrameSource {
  readonly camera: string;
  frames(): AsyncGenerator<Frame>;
  status(): SourceStatus;
  counters(): SourceCounters;
  onStatus(listener: (status: SourceStatus) => void): void;
  close(): Promise<void>;
}
