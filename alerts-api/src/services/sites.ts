import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { inScope, type Scope } from '../auth/roles.js';
import { ApiError } from '../errors.js';

export const FLOOD_TYPES = ['flood_level', 'flood'] as const;

export interface CameraView {
  site: string;
  gateway: string;
  camera: string;
  /** From the gateway's last health report; 'unknown' when it never reported this camera. */
  health: string;
  fps: number | null;
  gateway_state: 'online' | 'offline' | 'unknown';
  /** What the map colours by: the worst open alert on the camera, or offline. */
  state: 'offline' | 'firing' | 'acknowledged' | 'ok';
  open_alerts: number;
  last_event_at: string | null;
  location: [number, number] | null;
}

/** Cameras, gateways and their health; time series of water level and event counts. */
export class SiteService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly locations: Record<string, [number, number]>,
  ) {}

  async gateways(scope: Scope) {
    let q = this.db.selectFrom('gateways').selectAll().orderBy('site').orderBy('gateway');
    if (scope.sites) q = q.where('site', 'in', scope.sites.length ? [...scope.sites] : ['-']);
    const rows = await q.execute();
    return rows.map((g) => ({
      site: g.site,
      gateway: g.gateway,
      state: g.state,
      agent_version: g.agent_version,
      state_at: g.state_at.toISOString(),
      health: (g.health ?? null) as Record<string, unknown> | null,
      health_at: g.health_at ? g.health_at.toISOString() : null,
    }));
  }

  async cameras(scope: Scope): Promise<CameraView[]> {
    const byKey = new Map<string, CameraView>();
    const get = (site: string, gateway: string, camera: string): CameraView => {
      const key = `${site}/${gateway}/${camera}`;
      let c = byKey.get(key);
      if (!c) {
        c = {
          site,
          gateway,
          camera,
          health: 'unknown',
          fps: null,
          gateway_state: 'unknown',
          state: 'ok',
          open_alerts: 0,
          last_event_at: null,
          location: this.locations[`${site}/${camera}`] ?? null,
        };
        byKey.set(key, c);
      }
      return c;
    };
    for (const g of await this.gateways(scope)) {
      const cams = (g.health as { cameras?: { camera: string; fps: number; state: string }[] } | null)?.cameras ?? [];
      for (const hc of cams) {
        const c = get(g.site, g.gateway, hc.camera);
        c.health = hc.state;
        c.fps = hc.fps;
      }
      for (const c of byKey.values()) if (c.site === g.site && c.gateway === g.gateway) c.gateway_state = g.state;
    }
    let ev = this.db
      .selectFrom('events')
      .select(['site', 'gateway', 'camera', (eb) => eb.fn.max('frame_at').as('last')])
      .groupBy(['site', 'gateway', 'camera']);
    if (scope.sites) ev = ev.where('site', 'in', scope.sites.length ? [...scope.sites] : ['-']);
    for (const e of await ev.execute()) get(e.site, e.gateway, e.camera).last_event_at = new Date(e.last as unknown as string).toISOString();
    const open = await this.db
      .selectFrom('alerts')
      .select(['site', 'gateway', 'camera', 'type', 'status'])
      .where('status', '!=', 'resolved')
      .where('camera', 'is not', null)
      .execute();
    for (const a of open) {
      if (!inScope(scope, a) && a.type !== 'camera_offline') continue;
      if (scope.sites && !scope.sites.includes(a.site)) continue;
      const c = get(a.site, a.gateway, a.camera as string);
      c.open_alerts += 1;
      if (a.type === 'camera_offline') c.state = 'offline';
      else if (c.state !== 'offline' && (a.status === 'firing' || c.state === 'ok')) c.state = a.status === 'firing' ? 'firing' : 'acknowledged';
    }
    for (const c of byKey.values()) if (c.health === 'offline' || c.gateway_state === 'offline') c.state = 'offline';
    return [...byKey.values()].sort((a, b) => `${a.site}/${a.camera}`.localeCompare(`${b.site}/${b.camera}`));
  }

  async waterLevel(scope: Scope, q: { site: string; camera: string; from: Date; to: Date }) {
    if (!inScope(scope, { type: 'flood_level', site: q.site })) {
      throw new ApiError(403, 'VIGIL_ERR_FORBIDDEN', 'Water levels are outside your agency scope; ask an admin for an operator or viewer account.');
    }
    const rows = await this.db
      .selectFrom('events')
      .select(['frame_at', 'body'])
      .where('type', 'in', [...FLOOD_TYPES])
      .where('site', '=', q.site)
      .where('camera', '=', q.camera)
      .where('frame_at', '>=', q.from)
      .where('frame_at', '<', q.to)
      .orderBy('frame_at')
      .limit(10_000)
      .execute();
    return rows.map((r) => {
      const a = floodAttributes(r.body);
      return { at: r.frame_at.toISOString(), water_level_cm: a.water_level_cm, level: a.level };
    });
  }

  async counts(scope: Scope, q: { bucket: 'minute' | 'hour' | 'day'; from: Date; to: Date; site?: string }) {
    let query = this.db
      .selectFrom('events')
      .select([sql<Date>`date_trunc(${q.bucket}, frame_at)`.as('bucket'), 'type', (eb) => eb.fn.countAll<string>().as('count')])
      .where('frame_at', '>=', q.from)
      .where('frame_at', '<', q.to)
      .where('phase', '=', 'start')
      .groupBy([sql`1`, 'type'])
      .orderBy(sql`1`);
    if (scope.types) query = query.where('type', 'in', scope.types.length ? [...scope.types] : ['-']);
    if (scope.sites) query = query.where('site', 'in', scope.sites.length ? [...scope.sites] : ['-']);
    if (q.site) query = query.where('site', '=', q.site);
    const rows = await query.execute();
    return rows.map((r) => ({ at: new Date(r.bucket).toISOString(), type: r.type, count: Number(r.count) }));
  }
}

export function floodAttributes(body: unknown): { water_level_cm: number | null; level: string; rate_cm_per_h: number | null } {
  const b = (typeof body === 'string' ? JSON.parse(body) : body) as { attributes?: Record<string, unknown> } | null;
  const a = b?.attributes ?? {};
  return {
    water_level_cm: typeof a.water_level_cm === 'number' ? a.water_level_cm : null,
    level: typeof a.level === 'string' ? a.level : 'normal',
    rate_cm_per_h: typeof a.rate_cm_per_h === 'number' ? a.rate_cm_per_h : null,
  };
}
