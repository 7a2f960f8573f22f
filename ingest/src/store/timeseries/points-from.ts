import type { GatewayHealth, Telemetry, VigilEvent } from '@vigil/contracts';
import { int, type Point } from './point.js';

/** Measurements written by ingest; alerts-api charts read them by these names. */
export const MEASUREMENTS = { telemetry: 'camera_telemetry', lineCounts: 'line_counts', floodLevel: 'flood_level', gatewayHealth: 'gateway_health' } as const;

export function telemetryPoints(t: Telemetry): Point[] {
  const time = Date.parse(t.at);
  const tags = { site: t.site, gateway: t.gateway, camera: t.camera };
  const fields: Point['fields'] = { fps: t.fps, state: t.health.state };
  if (t.latency_ms !== undefined) fields.latency_ms = t.latency_ms;
  if (t.frames) {
    fields.frames_decoded = int(t.frames.decoded);
    fields.frames_dropped = int(t.frames.dropped);
    fields.restarts = int(t.frames.restarts);
  }
  if (typeof t.water_level_cm === 'number') fields.water_level_cm = t.water_level_cm;
  if (t.flooded_ratio !== undefined) fields.flooded_ratio = t.flooded_ratio;
  if (t.level !== undefined) fields.level = String(t.level);
  const points: Point[] = [{ measurement: MEASUREMENTS.telemetry, tags, fields, time }];
  for (const c of t.counts ?? []) points.push({ measurement: MEASUREMENTS.lineCounts, tags: { ...tags, line: c.line, class: String(c.class) }, fields: { count: int(c.count) }, time });
  return points;
}

/** Flood level events also go to the time series, so the public flood view can chart depth. */
export function eventPoints(e: VigilEvent): Point[] {
  if (e.type !== 'flood_level' && e.type !== 'flood') return [];
  const a = e.attributes;
  const fields: Point['fields'] = { level: String(a.level), gauge_visible: a.gauge_visible };
  if (a.water_level_cm !== null) fields.water_level_cm = a.water_level_cm;
  if (a.rate_cm_per_h !== undefined) fields.rate_cm_per_h = a.rate_cm_per_h;
  if (a.flooded_ratio !== undefined) fields.flooded_ratio = a.flooded_ratio;
  return [{ measurement: MEASUREMENTS.floodLevel, tags: { site: e.site, gateway: e.gateway, camera: e.camera, gauge: a.gauge ?? '' }, fields, time: Date.parse(e.frame_at) }];
}

export function healthPoints(h: GatewayHealth): Point[] {
  return [
    {
      measurement: MEASUREMENTS.gatewayHealth,
      tags: { site: h.site, gateway: h.gateway },
      fields: { cpu_ratio: h.cpu_ratio, memory_bytes: int(h.memory_bytes), disk_free_bytes: int(h.disk_free_bytes), outbox_depth: int(h.outbox.depth), outbox_oldest_age_s: h.outbox.oldest_age_s },
      time: Date.parse(h.at),
    },
  ];
}
