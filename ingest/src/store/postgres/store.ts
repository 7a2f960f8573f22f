import { sql, type Kysely } from 'kysely';
import type { GatewayHealth, GatewayStatus, VigilEvent } from '@vigil/contracts';
import type { AlertFilter, DeadLetter, EvidenceChunkInput, NewSilence, SequenceResult, VigilStore } from './interfaces.js';
import type { AlertRow, Database, NewAlert, NotificationKind } from './schema.js';

/** Gaps larger than this are one gateway reset (a wiped outbox), recorded as its first missing seq only. */
const MAX_GAP_ROWS = 10_000;

/** The one implementation of EventStore and AlertStore: kysely over PostgreSQL or PGlite (same SQL). */
export class KyselyStore implements VigilStore {
  constructor(readonly db: Kysely<Database>) {}

  transaction<T>(fn: (store: VigilStore) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new KyselyStore(trx)));
  }

  async insertEvent(e: VigilEvent, receivedAt: Date): Promise<{ inserted: boolean }> {
    const rows = await this.db
      .insertInto('events')
      .values({
        id: e.id,
        incident: e.incident,
        seq: e.seq,
        type: e.type,
        phase: e.phase,
        site: e.site,
        gateway: e.gateway,
        camera: e.camera,
        zone: e.zone ?? null,
        score: e.score,
        started_at: e.started_at,
        ended_at: e.ended_at ?? null,
        frame_at: e.frame_at,
        received_at: receivedAt,
        body: JSON.stringify(e),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    return { inserted: rows.length === 1 };
  }

  async recordSequence(site: string, gateway: string, seq: number, at: Date): Promise<SequenceResult> {
    // The no-op upsert takes the row lock (serialising workers on one gateway, so two of them cannot
    // both record the same gap) and returns the current maximum. The statements after it see
    // everything committed before the lock was granted.
    const row = await this.db
      .insertInto('gateway_sequences')
      .values({ site, gateway, max_seq: -1, updated_at: at })
      .onConflict((oc) => oc.columns(['site', 'gateway']).doUpdateSet({ max_seq: sql<number>`gateway_sequences.max_seq` }))
      .returning('max_seq')
      .executeTakeFirstOrThrow();
    let missing: number[] = [];
    if (seq > row.max_seq) {
      const from = row.max_seq + 1;
      const to = Math.min(seq - 1, from + MAX_GAP_ROWS - 1);
      // The first event of a gateway sets the baseline: an ingest started mid-stream has no gap.
      if (row.max_seq >= 0 && to >= from) {
        const inserted = await sql<{ seq: number }>`
          INSERT INTO sequence_gaps (site, gateway, seq, detected_at)
          SELECT ${site}, ${gateway}, s, ${at}::timestamptz FROM generate_series(${from}::bigint, ${to}::bigint) AS s
          WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.site = ${site} AND e.gateway = ${gateway} AND e.seq = s)
          ON CONFLICT DO NOTHING
          RETURNING seq`.execute(this.db);
        missing = inserted.rows.map((r) => Number(r.seq));
      }
      await this.db.updateTable('gateway_sequences').set({ max_seq: seq, updated_at: at }).where('site', '=', site).where('gateway', '=', gateway).execute();
    }
    if (seq > row.max_seq) return { missing, filledGap: false }; // gaps are only ever below the maximum
    const filled = await this.db
      .updateTable('sequence_gaps')
      .set({ filled_at: at })
      .where('site', '=', site)
      .where('gateway', '=', gateway)
      .where('seq', '=', seq)
      .where('filled_at', 'is', null)
      .returning('seq')
      .execute();
    return { missing, filledGap: filled.length > 0 };
  }

  async insertDeadLetter(d: DeadLetter): Promise<void> {
    await this.db
      .insertInto('dead_letters')
      .values({ topic: d.topic, reason: d.reason, payload: Buffer.from(d.payload), payload_bytes: d.payload.byteLength, received_at: d.receivedAt })
      .execute();
  }

  async setGatewayStatus(s: GatewayStatus, at: Date): Promise<void> {
    await this.db
      .insertInto('gateways')
      .values({ site: s.site, gateway: s.gateway, state: s.state, agent_version: s.agent_version, state_at: at, health: null, health_at: null })
      .onConflict((oc) => oc.columns(['site', 'gateway']).doUpdateSet({ state: s.state, agent_version: s.agent_version, state_at: at }))
      .execute();
  }

  async setGatewayHealth(h: GatewayHealth, at: Date): Promise<void> {
    const health = JSON.stringify(h);
    await this.db
      .insertInto('gateways')
      .values({ site: h.site, gateway: h.gateway, state: 'online', agent_version: h.versions.agent, state_at: at, health, health_at: at })
      .onConflict((oc) => oc.columns(['site', 'gateway']).doUpdateSet({ health, health_at: at }))
      .execute();
  }

  getGateway(site: string, gateway: string) {
    return this.db.selectFrom('gateways').selectAll().where('site', '=', site).where('gateway', '=', gateway).executeTakeFirst();
  }

  async insertEvidenceRefs(e: VigilEvent): Promise<void> {
    if (e.evidence.length === 0) return;
    await this.db
      .insertInto('evidence')
      .values(e.evidence.map((r) => ({ sha256: r.sha256, event_id: e.id, kind: r.kind, content_type: r.content_type, bytes: r.bytes, stored_at: null })))
      .onConflict((oc) => oc.columns(['sha256', 'event_id']).doNothing())
      .execute();
  }

  async markEvidenceStored(sha256: string, at: Date): Promise<void> {
    await this.db.updateTable('evidence').set({ stored_at: at }).where('sha256', '=', sha256).where('stored_at', 'is', null).execute();
  }

  async putEvidenceChunk(c: EvidenceChunkInput): Promise<Buffer[] | null> {
    await this.db
      .insertInto('evidence_chunks')
      .values({ sha256: c.sha256, index: c.index, count: c.count, content_type: c.contentType, bytes: c.bytes, data: Buffer.from(c.data), received_at: c.receivedAt })
      .onConflict((oc) => oc.columns(['sha256', 'index']).doNothing())
      .execute();
    const have = await this.db.selectFrom('evidence_chunks').select((eb) => eb.fn.countAll<number>().as('n')).where('sha256', '=', c.sha256).executeTakeFirstOrThrow();
    if (Number(have.n) < c.count) return null;
    const rows = await this.db.deleteFrom('evidence_chunks').where('sha256', '=', c.sha256).returning(['index', 'data']).execute();
    return rows.sort((a, b) => a.index - b.index).map((r) => Buffer.from(r.data));
  }

  getEvent(id: string) {
    return this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async countEvents(): Promise<number> {
    const r = await this.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  listDeadLetters(limit = 100) {
    return this.db.selectFrom('dead_letters').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  async countDeadLetters(): Promise<number> {
    const r = await this.db.selectFrom('dead_letters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  openGaps(site?: string, gateway?: string, detectedBefore?: Date) {
    let q = this.db.selectFrom('sequence_gaps').selectAll().where('filled_at', 'is', null);
    if (detectedBefore) q = q.where('detected_at', '<', detectedBefore);
    if (site) q = q.where('site', '=', site);
    if (gateway) q = q.where('gateway', '=', gateway);
    return q.orderBy('seq').execute();
  }

  // --- alerts -------------------------------------------------------------------------------------

  getAlert(id: number) {
    return this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findAlertByGroup(groupKey: string) {
    return this.db.selectFrom('alerts').selectAll().where('group_key', '=', groupKey).executeTakeFirst();
  }

  async insertAlert(alert: NewAlert): Promise<{ alert: AlertRow; created: boolean }> {
    const row = await this.db.insertInto('alerts').values(alert).onConflict((oc) => oc.column('group_key').doNothing()).returningAll().executeTakeFirst();
    if (row) return { alert: row, created: true };
    return { alert: (await this.findAlertByGroup(alert.group_key))!, created: false };
  }

  updateAlert(id: number, patch: Partial<Omit<NewAlert, 'id'>>) {
    return this.db.updateTable('alerts').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  recordAlertEvent(id: number, eventId: string, score: number, at: Date) {
    return this.db
      .updateTable('alerts')
      .set({ last_event_id: eventId, last_event_at: at, event_count: sql<number>`event_count + 1`, score: sql<number>`GREATEST(score, ${score}::double precision)` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  listAlerts(filter: AlertFilter = {}) {
    let q = this.db.selectFrom('alerts').selectAll();
    if (filter.status) q = q.where('status', 'in', Array.isArray(filter.status) ? filter.status : [filter.status]);
    if (filter.agency) q = q.where('agency', '=', filter.agency);
    if (filter.site) q = q.where('site', '=', filter.site);
    if (filter.camera) q = q.where('camera', '=', filter.camera);
    return q.orderBy('id').limit(filter.limit ?? 1000).execute();
  }

  findOpenAlert(site: string, gateway: string, camera: string | null, type: string) {
    let q = this.db.selectFrom('alerts').selectAll().where('site', '=', site).where('gateway', '=', gateway).where('type', '=', type).where('status', '!=', 'resolved');
    q = camera === null ? q.where('camera', 'is', null) : q.where('camera', '=', camera);
    return q.orderBy('id', 'desc').executeTakeFirst();
  }

  findInhibitor(site: string, gateway: string, camera: string | null) {
    return this.db
      .selectFrom('alerts')
      .selectAll()
      .where('site', '=', site)
      .where('gateway', '=', gateway)
      .where('status', '!=', 'resolved')
      .where((eb) =>
        eb.or([
          eb.and([eb('type', '=', 'gateway_offline'), eb('camera', 'is', null)]),
          ...(camera === null ? [] : [eb.and([eb('type', '=', 'camera_offline'), eb('camera', '=', camera)])]),
        ]),
      )
      .orderBy(sql`CASE WHEN type = 'camera_offline' THEN 0 ELSE 1 END`)
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  alertsInhibitedBy(alertId: number) {
    return this.db.selectFrom('alerts').selectAll().where('inhibited_by', '=', alertId).where('status', '!=', 'resolved').execute();
  }

  insertSilence(s: NewSilence, createdAt: Date) {
    return this.db
      .insertInto('silences')
      .values({ site: s.site ?? null, gateway: s.gateway ?? null, camera: s.camera ?? null, type: s.type ?? null, owner: s.owner, comment: s.comment, starts_at: s.startsAt, ends_at: s.endsAt, created_at: createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  expireSilence(id: number, at: Date) {
    return this.db.updateTable('silences').set({ ends_at: at }).where('id', '=', id).where('ends_at', '>', at).returningAll().executeTakeFirst();
  }

  activeSilences(at: Date) {
    return this.db.selectFrom('silences').selectAll().where('starts_at', '<=', at).where('ends_at', '>', at).orderBy('id').execute();
  }

  insertNotification(alert: AlertRow, kind: NotificationKind, at: Date) {
    return this.db
      .insertInto('notifications')
      .values({ alert_id: alert.id, kind, agency: alert.agency, escalation_level: alert.escalation_level, created_at: at, delivered_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  listNotifications(alertId?: number) {
    let q = this.db.selectFrom('notifications').selectAll();
    if (alertId !== undefined) q = q.where('alert_id', '=', alertId);
    return q.orderBy('id').execute();
  }

  async audit(entry: { at: Date; actor: string; action: string; alertId?: number | null; detail?: Record<string, unknown> }): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({ at: entry.at, actor: entry.actor, action: entry.action, alert_id: entry.alertId ?? null, detail: JSON.stringify(entry.detail ?? {}) })
      .execute();
  }

  listAudit(alertId?: number) {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (alertId !== undefined) q = q.where('alert_id', '=', alertId);
    return q.orderBy('id').execute();
  }
}
