import type { CameraConfig, GatewayConfig, VigilEvent } from '@vigil/contracts';
import { VigilError } from '@vigil/contracts';
import type { Registry } from '@vigil/observe';
import { cameraFfmpegOptions, inputKind } from '../source/ffmpeg-args.js';
import { FfmpegCameraSource } from '../source/ffmpeg-source.js';
import type { SourceCounters } from '../source/frame.js';
import type { AnalyticFactory } from './analytic.js';
import { CameraPipeline } from './camera-pipeline.js';
import { GatewaySequence } from './events.js';

export interface OfflineRunOptions {
  config: GatewayConfig;
  /** Camera to run; default the first in the file. */
  cameraId?: string;
  /** File path or stream URL; replaces the camera's source.url. */
  input: string;
  emit: (event: VigilEvent) => void;
  analytics?: AnalyticFactory[];
  /** Stop after this much video (seconds of stream time). */
  maxSeconds?: number;
  registry?: Registry;
  onProgress?: (progress: OfflineProgress) => void;
  /** Abort to stop early (Ctrl-C): open incidents are ended and the summary returned. */
  signal?: AbortSignal;
}

export interface OfflineProgress {
  frames: number;
  videoSeconds: number;
  events: number;
  motionFrames: number;
  counters: SourceCounters;
}

export interface OfflineSummary extends OfflineProgress {
  camera: string;
  health: string;
}

export function pickCamera(config: GatewayConfig, cameraId?: string): CameraConfig {
  if (!cameraId) return config.cameras[0]!;
  const camera = config.cameras.find((c) => c.id === cameraId);
  if (!camera) {
    throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `camera "${cameraId}" is not in the config; its cameras are: ${config.cameras.map((c) => c.id).join(', ')}. Pass one of them to --camera-id.`);
  }
  return camera;
}

/**
 * Runs one camera of a gateway config over a file (as fast as the pipeline goes, every frame) or a
 * stream URL (live, newest frame wins) through source -> motion -> health -> analytics.
 */
export async function runCameraOffline(options: OfflineRunOptions): Promise<OfflineSummary> {
  const camera = pickCamera(options.config, options.cameraId);
  const isFile = inputKind(options.input) === 'file';
  const { input, output } = cameraFfmpegOptions({ ...camera, source: { ...camera.source, url: options.input } });
  if (isFile) Object.assign(input, { realtime: false, loop: false });
  const source = new FfmpegCameraSource({
    camera: camera.id,
    input,
    output,
    stallS: camera.health.stall_s,
    delivery: isFile ? 'every' : 'latest',
    registry: options.registry,
  });
  let events = 0;
  let motionFrames = 0;
  let frames = 0;
  let videoSeconds = 0;
  const emit = (e: VigilEvent) => {
    events++;
    options.emit(e);
  };
  const analytics = (options.analytics ?? []).map((f) => f(camera)).filter((a) => a !== undefined);
  let firstAt: number | undefined;
  const pipeline = new CameraPipeline({
    site: options.config.site,
    gateway: options.config.gateway,
    camera,
    source,
    sequence: new GatewaySequence(),
    analytics,
    emit,
    // A file that fails is over at once; a stream gets a few seconds to reconnect before it counts as offline.
    offlineGraceMs: isFile ? 0 : 5000,
    onFrame: (frame, motion) => {
      frames++;
      if (motion.detected) motionFrames++;
      firstAt ??= frame.at;
      videoSeconds = (frame.at - firstAt) / 1000;
      if (frames % 25 === 0) options.onProgress?.(progress());
      if (options.maxSeconds !== undefined && videoSeconds >= options.maxSeconds) void source.close();
    },
  });
  const progress = (): OfflineProgress => ({ frames, videoSeconds, events, motionFrames, counters: source.counters() });
  const abort = () => void source.close();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await pipeline.run();
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  const health = pipeline.health.state().state;
  pipeline.finish();
  return { ...progress(), camera: camera.id, health };
}
