import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { FLOOD_TYPES, floodAttributes } from './sites.js';

export interface Hotspot {
  name: string;
  water_level_cm: number | null;
  level: string;
  trend: 'rising' | 'falling' | 'steady' | 'unknown';
  rate_cm_per_h: number | null;
  updated_at: string;
  /** Last few hours, oldest first: [ISO time, cm]. */
  recent: [string, number | null][];
}

/** Below this rate the level is "steady": the gauge reader's noise is about ±1 cm over an hour. */
const STEADY_CM_PER_H = 1;

/**
 * The public flood view: per hotspot only a name, the depth, the warning level and the trend. It is
 * built from flood events alone and carries no camera, gateway or site ids, stream URLs or other alert
 * types; results are cached so a crowd refreshing the page during a flood costs one query per period.
 */
export class PublicFloodView {
  private cached: { at: number; value: Hotspot[] } | undefined;
  private inflight: Promise<Hotspot[]> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly names: Record<string, string>,
    private readonly cacheMs: number,
    private readonly windowMs = 6 * 3600_000,
  ) {}

  async hotspots(): Promise<Hotspot[]> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.value;
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    const value = await this.inflight;
    this.cached = { at: Date.now(), value };
    return value;
  }

  private async load(): Promise<Hotspot[]> {
    const latest = await this.db
      .selectFrom('events')
      .select(['site', 'camera', (eb) => eb.fn.max('frame_at').as('last')])
      .where('type', 'in', [...FLOOD_TYPES])
      .groupBy(['site', 'camera'])
      .execute();
    const out: Hotspot[] = [];
    for (const h of latest) {
      const last = new Date(h.last as unknown as string);
      const rows = await this.db
        .selectFrom('events')
        .select(['frame_at', 'body'])
        .where('type', 'in', [...FLOOD_TYPES])
        .where('site', '=', h.site)
        .where('camera', '=', h.camera)
        .where('frame_at', '>=', new Date(last.getTime() - this.windowMs))
        .orderBy('frame_at')
        .limit(2000)
        .execute();
      const points = rows.map((r) => ({ at: r.frame_at, ...floodAttributes(r.body) }));
      const now = points[points.length - 1];
      if (!now) continue;
      out.push({
        name: this.names[`${h.site}/${h.camera}`] ?? this.names[h.camera] ?? h.camera,
        water_level_cm: now.water_level_cm,
        level: now.level,
        trend: trendOf(points),
        rate_cm_per_h: now.rate_cm_per_h,
        updated_at: now.at.toISOString(),
        recent: points.map((p) => [p.at.toISOString(), p.water_level_cm]),
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The edge's own rate when it sent one; otherwise the slope over the last hour of readings. */
export function trendOf(points: { at: Date; water_level_cm: number | null; rate_cm_per_h: number | null }[]): Hotspot['trend'] {
  const last = points[points.length - 1];
  if (!last) return 'unknown';
  let rate = last.rate_cm_per_h;
  if (rate === null) {
    const known = points.filter((p) => p.water_level_cm !== null && last.at.getTime() - p.at.getTime() <= 3600_000);
    const first = known[0];
    const end = known[known.length - 1];
    if (!first || !end || end.at.getTime() - first.at.getTime() < 5 * 60_000) return 'unknown';
    rate = ((end.water_level_cm as number) - (first.water_level_cm as number)) / ((end.at.getTime() - first.at.getTime()) / 3600_000);
  }
  return rate > STEADY_CM_PER_H ? 'rising' : rate < -STEADY_CM_PER_H ? 'falling' : 'steady';
}
