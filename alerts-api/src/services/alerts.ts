import { type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { AlertRow, AlertStatus, Database } from '../db/tables.js';
import { inScope, type Principal, type Scope } from '../auth/roles.js';
import { ApiError, notFound } from '../errors.js';
import { audit } from './audit.js';
import type { EvidenceLinks } from './evidence.js';

export type Verdict = 'true_alarm' | 'false_alarm' | 'duplicate';

export interface AlertFilter {
  state?: AlertStatus[];
  type?: string[];
  site?: string;
  camera?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

export interface AlertView {
  id: number;
  type: string;
  agency: string;
  status: AlertStatus;
  site: string;
  gateway: string;
  camera: string | null;
  incident: string;
  score: number;
  held: boolean;
  event_count: number;
  fired_at: string;
  last_event_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  silenced: boolean;
  inhibited: boolean;
  assignee: string | null;
  verdict: Verdict | null;
  summary: Record<string, unknown>;
}

/** Kinds of change that go out on the live feed and to webhooks. */
export type AlertChange = 'alert.firing' | 'alert.acknowledged' | 'alert.assigned' | 'alert.noted' | 'alert.resolved' | 'alert.verdict' | 'alert.repeat' | 'alert.escalation';

type AlertQuery = SelectQueryBuilder<
  Database & { a: Database['alerts'] },
  'a' | 'api_alert_assignments' | 'api_alert_verdicts',
  AlertRow & { assignee: string | null; verdict: Verdict | null }
>;

/** Alerts as operators see them: ingest's alert rows plus the API's annotations, always scoped. */
export class AlertService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly evidence: EvidenceLinks,
    private readonly onChange: (feedId: number) => void,
  ) {}

  private base(db: Kysely<Database> | Transaction<Database>, scope: Scope): AlertQuery {
    let q = db
      .selectFrom('alerts as a')
      .leftJoin('api_alert_assignments', 'api_alert_assignments.alert_id', 'a.id')
      .leftJoin('api_alert_verdicts', 'api_alert_verdicts.alert_id', 'a.id')
      .selectAll('a')
      .select(['api_alert_assignments.assignee', 'api_alert_verdicts.verdict']) as unknown as AlertQuery;
    if (scope.types) q = q.where('a.type', 'in', scope.types.length ? [...scope.types] : ['-']);
    if (scope.sites) q = q.where('a.site', 'in', scope.sites.length ? [...scope.sites] : ['-']);
    return q;
  }

  async list(scope: Scope, f: AlertFilter): Promise<{ items: (AlertView & { snapshot_url: string | null })[]; next_cursor: string | null }> {
    let q = this.base(this.db, scope);
    if (f.state?.length) q = q.where('a.status', 'in', f.state);
    if (f.type?.length) q = q.where('a.type', 'in', f.type);
    if (f.site) q = q.where('a.site', '=', f.site);
    if (f.camera) q = q.where('a.camera', '=', f.camera);
    if (f.from) q = q.where('a.fired_at', '>=', f.from);
    if (f.to) q = q.where('a.fired_at', '<', f.to);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      q = q.where((eb) => eb.or([eb('a.fired_at', '<', c.at), eb.and([eb('a.fired_at', '=', c.at), eb('a.id', '<', c.id)])]));
    }
    // The first stored snapshot, for list thumbnails, in the same round trip.
    const withSnapshot = q.select((eb) =>
      eb
        .selectFrom('evidence')
        .select('evidence.sha256')
        .whereRef('evidence.event_id', '=', 'a.first_event_id')
        .where('evidence.kind', '=', 'snapshot')
        .where('evidence.stored_at', 'is not', null)
        .limit(1)
        .as('snapshot_sha256'),
    );
    const rows = await withSnapshot.orderBy('a.fired_at', 'desc').orderBy('a.id', 'desc').limit(f.limit + 1).execute();
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ ...toView(r), snapshot_url: r.snapshot_sha256 ? this.evidence.sign(r.snapshot_sha256).url : null })),
      next_cursor: rows.length > f.limit && last ? encodeCursor(last.fired_at, last.id) : null,
    };
  }

  async get(scope: Scope, id: number): Promise<AlertView> {
    const row = await this.base(this.db, scope).where('a.id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Alert ${id}`);
    return toView(row);
  }

  async detail(scope: Scope, id: number) {
    const alert = await this.get(scope, id);
    const row = await this.db.selectFrom('alerts').select(['first_event_id', 'last_event_id', 'incident', 'group_key']).where('id', '=', id).executeTakeFirstOrThrow();
    const events = await this.db
      .selectFrom('events')
      .select(['id', 'phase', 'frame_at', 'score', 'body'])
      .where('incident', '=', row.incident)
      .where('camera', '=', alert.camera ?? '')
      .where('type', '=', alert.type)
      .orderBy('frame_at', 'asc')
      .limit(200)
      .execute();
    const eventIds = events.map((e) => e.id);
    const evidenceRows = eventIds.length
      ? await this.db.selectFrom('evidence').selectAll().where('event_id', 'in', eventIds).orderBy('sha256').execute()
      : [];
    const notes = await this.db.selectFrom('api_alert_notes').select(['id', 'author', 'text', 'at']).where('alert_id', '=', id).orderBy('id').execute();
    const verdict = await this.db.selectFrom('api_alert_verdicts').selectAll().where('alert_id', '=', id).executeTakeFirst();
    const auditRows = await this.db.selectFrom('audit_log').select(['id', 'at', 'actor', 'action', 'detail']).where('alert_id', '=', id).orderBy('id').execute();
    return {
      alert,
      events: events.map((e) => ({ id: e.id, phase: e.phase, frame_at: e.frame_at.toISOString(), score: e.score, attributes: attributesOf(e.body) })),
      evidence: evidenceRows.map((e) => ({
        sha256: e.sha256,
        event_id: e.event_id,
        kind: e.kind,
        content_type: e.content_type,
        bytes: e.bytes,
        stored: e.stored_at !== null,
        ...this.evidence.sign(e.sha256),
      })),
      notes: notes.map((n) => ({ ...n, at: n.at.toISOString() })),
      verdict: verdict
        ? { verdict: verdict.verdict, duplicate_of: verdict.duplicate_of, comment: verdict.comment, decided_by: verdict.decided_by, at: verdict.at.toISOString() }
        : null,
      audit: auditRows.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, detail: r.detail })),
    };
  }

  async acknowledge(who: Principal, id: number, hold: boolean): Promise<AlertView> {
    return this.change(who, id, 'alert.acknowledged', { hold }, async (trx, now) => {
      const r = await trx
        .updateTable('alerts')
        .set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: who.actor, held: hold })
        .where('id', '=', id)
        .where('status', '=', 'firing')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) await this.stateConflict(trx, id, 'acknowledge', 'firing');
    });
  }

  async resolve(who: Principal, id: number, comment: string): Promise<AlertView> {
    return this.change(who, id, 'alert.resolved', { comment }, async (trx, now) => {
      const r = await trx
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: now, resolved_by: who.actor, held: false })
        .where('id', '=', id)
        .where('status', '!=', 'resolved')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) await this.stateConflict(trx, id, 'resolve', 'firing or acknowledged');
    });
  }

  async assign(who: Principal, id: number, assignee: string): Promise<AlertView> {
    return this.change(who, id, 'alert.assigned', { assignee }, async (trx, now) => {
      await trx
        .insertInto('api_alert_assignments')
        .values({ alert_id: id, assignee, assigned_by: who.actor, at: now })
        .onConflict((oc) => oc.column('alert_id').doUpdateSet({ assignee, assigned_by: who.actor, at: now }))
        .execute();
    });
  }

  async note(who: Principal, id: number, text: string): Promise<AlertView> {
    return this.change(who, id, 'alert.noted', { text }, async (trx, now) => {
      await trx.insertInto('api_alert_notes').values({ alert_id: id, author: who.actor, text, at: now }).execute();
    });
  }

  async verdict(who: Principal, id: number, v: { verdict: Verdict; duplicate_of?: number; comment?: string }): Promise<AlertView> {
    if (v.verdict === 'duplicate' && v.duplicate_of === undefined) {
      throw new ApiError(400, 'VIGIL_ERR_VALIDATION', 'A "duplicate" verdict needs duplicate_of: the id of the alert this one repeats.');
    }
    if (v.duplicate_of === id) throw new ApiError(400, 'VIGIL_ERR_VALIDATION', 'An alert cannot be a duplicate of itself; give the id of the original alert.');
    return this.change(who, id, 'alert.verdict', { ...v }, async (trx, now) => {
      const values = { verdict: v.verdict, duplicate_of: v.duplicate_of ?? null, comment: v.comment ?? '', decided_by: who.actor, at: now };
      await trx
        .insertInto('api_alert_verdicts')
        .values({ alert_id: id, ...values })
        .onConflict((oc) => oc.column('alert_id').doUpdateSet(values))
        .execute();
    });
  }

  /** One state change: scope check, the change, the audit row and the feed row in one transaction. */
  private async change(
    who: Principal,
    id: number,
    kind: AlertChange,
    detail: Record<string, unknown>,
    apply: (trx: Transaction<Database>, now: Date) => Promise<void>,
  ): Promise<AlertView> {
    const { view, feedId } = await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('alerts').select(['id', 'type', 'site']).where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before || !inScope(who.scope, before)) throw notFound(`Alert ${id}`);
      const now = new Date();
      await apply(trx, now);
      await audit(trx, { actor: who.actor, action: kind, alertId: id, detail, at: now });
      const row = await this.base(trx, who.scope).where('a.id', '=', id).executeTakeFirstOrThrow();
      const view = toView(row);
      const feedId = await insertFeed(trx, kind, view, { by: who.actor, ...detail }, now);
      return { view, feedId };
    });
    this.onChange(feedId);
    return view;
  }

  private async stateConflict(trx: Transaction<Database>, id: number, action: string, needed: string): Promise<never> {
    const row = await trx.selectFrom('alerts').select(['status', 'acknowledged_by', 'resolved_by']).where('id', '=', id).executeTakeFirstOrThrow();
    const by = row.status === 'acknowledged' ? ` by ${row.acknowledged_by}` : row.status === 'resolved' ? ` by ${row.resolved_by}` : '';
    throw new ApiError(409, 'VIGIL_ERR_ALERT_STATE', `Alert ${id} is already ${row.status}${by}; it can only ${action} when ${needed}. Reload the alert to see its state.`);
  }
}

export async function insertFeed(
  db: Kysely<Database> | Transaction<Database>,
  kind: string,
  alert: AlertView,
  extra: Record<string, unknown>,
  at: Date,
): Promise<number> {
  const row = await db
    .insertInto('api_feed')
    .values({ at, kind, alert_id: alert.id, alert_type: alert.type, site: alert.site, payload: JSON.stringify({ alert, ...extra }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export function toView(row: AlertRow & { assignee: string | null; verdict: Verdict | null }): AlertView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    type: row.type,
    agency: row.agency,
    status: row.status,
    site: row.site,
    gateway: row.gateway,
    camera: row.camera,
    incident: row.incident,
    score: row.score,
    held: row.held,
    event_count: row.event_count,
    fired_at: row.fired_at.toISOString(),
    last_event_at: row.last_event_at.toISOString(),
    acknowledged_at: iso(row.acknowledged_at),
    acknowledged_by: row.acknowledged_by,
    resolved_at: iso(row.resolved_at),
    resolved_by: row.resolved_by,
    silenced: row.silenced_by !== null,
    inhibited: row.inhibited_by !== null,
    assignee: row.assignee ?? null,
    verdict: row.verdict ?? null,
    summary: row.summary ?? {},
  };
}

/** Loads one alert as a view, unscoped: for the feed relay, which scopes per subscriber. */
export async function loadAlertView(db: Kysely<Database>, id: number): Promise<AlertView | undefined> {
  const row = await db
    .selectFrom('alerts as a')
    .leftJoin('api_alert_assignments', 'api_alert_assignments.alert_id', 'a.id')
    .leftJoin('api_alert_verdicts', 'api_alert_verdicts.alert_id', 'a.id')
    .selectAll('a')
    .select(['api_alert_assignments.assignee', 'api_alert_verdicts.verdict'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  return row ? toView(row as AlertRow & { assignee: string | null; verdict: Verdict | null }) : undefined;
}

function attributesOf(body: unknown): Record<string, unknown> {
  const b = (typeof body === 'string' ? JSON.parse(body) : body) as { attributes?: Record<string, unknown> } | null;
  return b?.attributes ?? {};
}

function encodeCursor(at: Date, id: number): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: number } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, number];
    const d = new Date(at);
    if (Number.isNaN(d.getTime()) || !Number.isInteger(id)) throw new Error('bad');
    return { at: d, id };
  } catch {
    throw new ApiError(400, 'VIGIL_ERR_CURSOR', 'The cursor is not one this API issued; pass next_cursor from the previous page unchanged, or omit it.');
  }
}

