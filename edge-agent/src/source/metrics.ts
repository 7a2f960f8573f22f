import { Counter, Gauge, type Registry } from '@vigil/observe';

export interface SourceMetrics {
  decoded: Counter<'camera'>;
  delivered: Counter<'camera'>;
  dropped: Counter<'camera'>;
  decodeErrors: Counter<'camera'>;
  restarts: Counter<'camera'>;
  up: Gauge<'camera'>;
}

const byRegistry = new WeakMap<Registry, SourceMetrics>();

/** Per-camera source counters, registered once per registry and shared by every camera on it. */
export function sourceMetrics(registry: Registry): SourceMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['camera'] as const, registers });
  const metrics: SourceMetrics = {
    decoded: counter('vigil_source_frames_decoded_total', 'Frames decoded by ffmpeg and read from its pipe.'),
    delivered: counter('vigil_source_frames_delivered_total', 'Frames handed to the pipeline.'),
    dropped: counter('vigil_source_frames_dropped_total', 'Frames replaced by a newer one before the pipeline took them (newest frame wins).'),
    decodeErrors: counter('vigil_source_decode_errors_total', 'Damaged frames or packets reported by ffmpeg.'),
    restarts: counter('vigil_source_restarts_total', 'ffmpeg restarts after a failure, stall or exit.'),
    up: new Gauge({ name: 'vigil_source_up', help: '1 while the camera delivers frames, else 0.', labelNames: ['camera'] as const, registers }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
