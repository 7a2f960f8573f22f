import { monotonicFactory } from 'ulid';
import type { VigilEvent } from './event.js';
import type { Telemetry } from './telemetry.js';

const ulid = monotonicFactory();

/** A valid flood_level event, for docs and tests; override any field. */
export function exampleFloodEvent(overrides: Partial<VigilEvent> = {}): VigilEvent {
  const id = ulid();
  return {
    v: 1,
    id,
    incident: id,
    seq: 1,
    type: 'flood_level',
    phase: 'start',
    started_at: '2026-11-22T03:15:00.000Z',
    frame_at: '2026-11-22T03:15:00.000Z',
    site: 'hue',
    gateway: 'gw-huong-tra-01',
    camera: 'kim-long-gauge',
    zone: 'road',
    score: 0.91,
    boxes: [],
    evidence: [
      {
        kind: 'snapshot',
        sha256: 'a3f1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80',
        content_type: 'image/jpeg',
        bytes: 48213,
        at: '2026-11-22T03:15:00.000Z',
      },
    ],
    model: { name: 'water', version: '1.0.0' },
    attributes: { water_level_cm: 32.5, level: 'warning', rate_cm_per_h: 6.2, flooded_ratio: 0.41, gauge_visible: true, gauge: 'staff' },
    ...overrides,
  } as VigilEvent;
}

/** A valid red_light event. */
export function exampleRedLightEvent(overrides: Partial<VigilEvent> = {}): VigilEvent {
  const id = ulid();
  return {
    v: 1,
    id,
    incident: id,
    seq: 2,
    type: 'red_light',
    phase: 'start',
    started_at: '2026-11-22T08:01:12.400Z',
    frame_at: '2026-11-22T08:01:12.400Z',
    site: 'hue',
    gateway: 'gw-huong-tra-01',
    camera: 'le-loi-hung-vuong',
    zone: 'stop',
    score: 0.84,
    boxes: [{ x1: 0.21, y1: 0.52, x2: 0.27, y2: 0.63, label: 'motorbike', score: 0.84 }],
    track_id: 117,
    evidence: [],
    model: { name: 'centernet-coco', version: '1.0.0' },
    attributes: { vehicle_class: 'motorbike', signal_phase: 'red', seconds_into_red: 3.4, stop_line: 'stop', signal: 'signal-main' },
    ...overrides,
  } as VigilEvent;
}

export function exampleTelemetry(overrides: Partial<Telemetry> = {}): Telemetry {
  return {
    v: 1,
    at: '2026-11-22T03:15:00.000Z',
    site: 'hue',
    gateway: 'gw-huong-tra-01',
    camera: 'kim-long-gauge',
    fps: 1,
    latency_ms: 140,
    health: { state: 'ok' },
    frames: { decoded: 3600, delivered: 3600, dropped: 0, restarts: 0 },
    water_level_cm: 32.5,
    flooded_ratio: 0.41,
    level: 'warning',
    ...overrides,
  };
}
