import { sql, type Kysely } from 'kysely';
import type { GatewayStatus, VigilEvent } from '@vigil/contracts';
import { systemClock, type Clock, type Logger } from '@vigil/observe';
import type { AlertStore, NewSilence, VigilStore } from '../store/postgres/interfaces.js';
import type { AlertRow, NotificationKind, NotificationRow, SilenceRow } from '../store/postgres/schema.js';
import { AGENCY_BY_TYPE, DEFAULT_ACK_DEADLINE_MS, INFRASTRUCTURE_TYPES, agencyFor, type AlertType } from './routing.js';

export interface AlertEngineOptions {
  clock?: Clock;
  /** Re-notify a firing, unacknowledged alert this often. */
  repeatIntervalMs?: number;
  /** Per-type acknowledgement deadline; missing it escalates (level 1, 2, ... each further deadline). */
  ackDeadlineMs?: Partial<Record<AlertType, number>>;
  /** How often start() runs tick(). */
  tickMs?: number;
  logger?: Logger;
}

export type NotificationListener = (n: NotificationRow, alert: AlertRow) => void;

// Any fixed number: only one engine in the cluster runs the repeat/escalation scan at a time.
const TICK_LOCK = 0x76_69_67_31;

export function groupKey(site: string, gateway: string, camera: string | null, type: string, incident: string): string {
  return `${site}/${gateway}/${camera ?? '-'}/${type}/${incident}`;
}

/**
 * Events become alerts (Alertmanager's ideas, on our tables): grouped by camera + type + incident;
 * firing -> acknowledged -> resolved; inhibited while the camera or its gateway is offline; silenced
 * by matchers with an owner and expiry; repeated and escalated until acknowledged; routed by type.
 * Every method takes the store it must use, so event handling runs inside the ingest transaction.
 */
export class AlertEngine {
  readonly clock: Clock;
  private readonly repeatIntervalMs: number;
  private readonly deadlines: Record<string, number>;
  private readonly tickMs: number;
  private readonly listeners = new Set<NotificationListener>();
  private timer: { cancel(): void } | undefined;

  constructor(
    private readonly store: VigilStore,
    private readonly options: AlertEngineOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.repeatIntervalMs = options.repeatIntervalMs ?? 15 * 60_000;
    this.deadlines = { ...DEFAULT_ACK_DEADLINE_MS, ...options.ackDeadlineMs };
    this.tickMs = options.tickMs ?? 30_000;
  }

  onNotification(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells listeners about notifications once their transaction has committed. */
  publish(created: Array<[NotificationRow, AlertRow]>): void {
    for (const [n, a] of created) for (const l of this.listeners) l(n, a);
  }

  private now(): Date {
    return new Date(this.clock.now());
  }

  /** Applies one new (not duplicate) event. Returns notifications to publish after commit. */
  async applyEvent(tx: AlertStore, e: VigilEvent): Promise<Array<[NotificationRow, AlertRow]>> {
    const out: Array<[NotificationRow, AlertRow]> = [];
    const now = this.now();
    const key = groupKey(e.site, e.gateway, e.camera, e.type, e.incident);
    let alert = await tx.findAlertByGroup(key);
    if (!alert) {
      // A flood gauge reporting "normal" is a reading, not something to raise.
      if ((e.type === 'flood_level' || e.type === 'flood') && e.attributes.level === 'normal' && e.phase !== 'end') return out;
      const inhibitor = await this.inhibitorFor(tx, e.site, e.gateway, e.camera, e.type);
      const silence = matchSilence(await tx.activeSilences(now), e.site, e.gateway, e.camera, e.type);
      const notifyNow = !inhibitor && !silence;
      const { alert: row, created } = await tx.insertAlert({
        group_key: key,
        site: e.site,
        gateway: e.gateway,
        camera: e.camera,
        type: e.type,
        incident: e.incident,
        agency: agencyFor(e.type),
        status: 'firing',
        held: false,
        score: e.score,
        first_event_id: e.id,
        last_event_id: e.id,
        event_count: 1,
        fired_at: now,
        last_event_at: now,
        incident_ended_at: null,
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        resolved_by: null,
        inhibited_by: inhibitor?.id ?? null,
        silenced_by: silence?.id ?? null,
        // Counted here rather than by a second UPDATE: one round trip less per new alert.
        last_notified_at: notifyNow ? now : null,
        notify_count: notifyNow ? 1 : 0,
        escalation_level: 0,
        summary: JSON.stringify(summaryOf(e)),
      });
      alert = row;
      if (created) {
        await tx.audit({ at: now, actor: 'ingest', action: 'alert.fired', alertId: row.id, detail: { event: e.id, inhibited_by: row.inhibited_by, silenced_by: row.silenced_by } });
        if (notifyNow) out.push([await tx.insertNotification(row, 'firing', now), row]);
      } else {
        alert = await tx.recordAlertEvent(row.id, e.id, e.score, now);
      }
    } else {
      alert = await tx.recordAlertEvent(alert.id, e.id, e.score, now);
    }
    if (e.phase === 'end') {
      alert = await tx.updateAlert(alert.id, { incident_ended_at: e.ended_at ?? e.frame_at });
      if (!alert.held && alert.status !== 'resolved') await this.resolveAlert(tx, alert, 'auto', now, out);
    }
    return out;
  }

  /** Gateway offline raises gateway_offline (inhibiting its cameras' alerts); online resolves it. */
  async applyGatewayStatus(tx: AlertStore, s: GatewayStatus): Promise<Array<[NotificationRow, AlertRow]>> {
    const out: Array<[NotificationRow, AlertRow]> = [];
    const now = this.now();
    const open = await tx.findOpenAlert(s.site, s.gateway, null, 'gateway_offline');
    if (s.state === 'offline' && !open) {
      const silence = matchSilence(await tx.activeSilences(now), s.site, s.gateway, null, 'gateway_offline');
      const { alert, created } = await tx.insertAlert({
        group_key: groupKey(s.site, s.gateway, null, 'gateway_offline', `offline-${now.toISOString()}`),
        site: s.site,
        gateway: s.gateway,
        camera: null,
        type: 'gateway_offline',
        incident: `offline-${now.toISOString()}`,
        agency: AGENCY_BY_TYPE.gateway_offline,
        status: 'firing',
        held: false,
        score: 1,
        first_event_id: '',
        last_event_id: '',
        event_count: 1,
        fired_at: now,
        last_event_at: now,
        incident_ended_at: null,
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        resolved_by: null,
        inhibited_by: null,
        silenced_by: silence?.id ?? null,
        last_notified_at: null,
        notify_count: 0,
        escalation_level: 0,
        summary: JSON.stringify({ agent_version: s.agent_version, since: s.at }),
      });
      if (created) {
        await tx.audit({ at: now, actor: 'ingest', action: 'alert.fired', alertId: alert.id, detail: { gateway: s.gateway } });
        if (!alert.silenced_by) await this.notify(tx, alert, 'firing', now, out);
      }
    } else if (s.state === 'online' && open) {
      const ended = await tx.updateAlert(open.id, { incident_ended_at: now });
      if (!ended.held) await this.resolveAlert(tx, ended, 'auto', now, out);
    }
    return out;
  }

  async acknowledge(alertId: number, actor: string): Promise<AlertRow> {
    return this.operatorChange(alertId, actor, 'alert.acknowledged', async (tx, a, now) => {
      if (a.status !== 'firing') return a;
      return tx.updateAlert(a.id, { status: 'acknowledged', acknowledged_at: now, acknowledged_by: actor });
    });
  }

  /** Holds (or releases) an alert: a held alert stays open when its incident ends. */
  async hold(alertId: number, actor: string, held = true): Promise<AlertRow> {
    return this.operatorChange(alertId, actor, held ? 'alert.held' : 'alert.released', async (tx, a, now, out) => {
      const updated = await tx.updateAlert(a.id, { held });
      // Releasing an alert whose incident already ended resolves it, as the end would have.
      if (!held && updated.incident_ended_at && updated.status !== 'resolved') return this.resolveAlert(tx, updated, 'auto', now, out);
      return updated;
    });
  }

  async resolve(alertId: number, actor: string): Promise<AlertRow> {
    return this.operatorChange(alertId, actor, 'alert.resolved', async (tx, a, now, out) => {
      if (a.status === 'resolved') return a;
      return this.resolveAlert(tx, a, actor, now, out);
    });
  }

  async silence(s: NewSilence, actor: string): Promise<SilenceRow> {
    return this.store.transaction(async (tx) => {
      const row = await tx.insertSilence(s, this.now());
      await tx.audit({ at: this.now(), actor, action: 'silence.created', detail: { silence: row.id, owner: s.owner, ends_at: s.endsAt.toISOString() } });
      return row;
    });
  }

  async expireSilence(id: number, actor: string): Promise<SilenceRow | undefined> {
    return this.store.transaction(async (tx) => {
      const row = await tx.expireSilence(id, this.now());
      if (row) await tx.audit({ at: this.now(), actor, action: 'silence.expired', detail: { silence: id } });
      return row;
    });
  }

  /**
   * Repeats and escalates unacknowledged alerts, applies new silences to firing alerts and lifts
   * expired ones. Safe to run in every worker: an advisory lock lets one of them do it at a time.
   */
  async tick(): Promise<number> {
    const published = await this.store.transaction(async (tx) => {
      const db = (tx as unknown as { db: Kysely<unknown> }).db;
      const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${TICK_LOCK}) AS ok`.execute(db);
      if (!lock.rows[0]?.ok) return [];
      const now = this.now();
      const out: Array<[NotificationRow, AlertRow]> = [];
      const silences = await tx.activeSilences(now);
      for (let a of await tx.listAlerts({ status: 'firing', limit: 100_000 })) {
        if (a.inhibited_by) continue;
        const silence = matchSilence(silences, a.site, a.gateway, a.camera, a.type);
        if (silence && a.silenced_by !== silence.id) {
          await tx.updateAlert(a.id, { silenced_by: silence.id });
          continue;
        }
        if (silence) continue;
        if (a.silenced_by) {
          // The silence expired while the alert was still firing: tell the agency now.
          a = await tx.updateAlert(a.id, { silenced_by: null });
          await this.notify(tx, a, 'firing', now, out);
          continue;
        }
        const deadline = this.deadlines[a.type] ?? 30 * 60_000;
        const age = now.getTime() - new Date(a.fired_at).getTime();
        const due = Math.floor(age / deadline);
        if (due > a.escalation_level) {
          a = await tx.updateAlert(a.id, { escalation_level: due });
          await tx.audit({ at: now, actor: 'ingest', action: 'alert.escalated', alertId: a.id, detail: { level: due, deadline_ms: deadline } });
          await this.notify(tx, a, 'escalation', now, out);
        } else if (!a.last_notified_at || now.getTime() - new Date(a.last_notified_at).getTime() >= this.repeatIntervalMs) {
          await this.notify(tx, a, 'repeat', now, out);
        }
      }
      return out;
    });
    this.publish(published);
    return published.length;
  }

  start(): void {
    const loop = () => {
      this.timer = this.clock.setTimeout(() => {
        this.tick()
          .catch((err: Error) => this.options.logger?.error({ err }, 'alert tick failed; retrying next tick'))
          .finally(() => this.timer && loop());
      }, this.tickMs);
    };
    loop();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async operatorChange(
    alertId: number,
    actor: string,
    action: string,
    change: (tx: VigilStore, a: AlertRow, now: Date, out: Array<[NotificationRow, AlertRow]>) => Promise<AlertRow>,
  ): Promise<AlertRow> {
    const out: Array<[NotificationRow, AlertRow]> = [];
    const updated = await this.store.transaction(async (tx) => {
      const a = await tx.getAlert(alertId);
      if (!a) throw new Error(`alert ${alertId} does not exist`);
      const now = this.now();
      const changed = await change(tx, a, now, out);
      await tx.audit({ at: now, actor, action, alertId, detail: { from: a.status, to: changed.status } });
      return changed;
    });
    this.publish(out);
    return updated;
  }

  /** camera_offline on this camera inhibits its analytics; gateway_offline inhibits all its cameras' alerts. */
  private async inhibitorFor(tx: AlertStore, site: string, gateway: string, camera: string, type: string): Promise<AlertRow | undefined> {
    if (type === 'gateway_offline') return undefined;
    const analytics = !INFRASTRUCTURE_TYPES.has(type as AlertType);
    return tx.findInhibitor(site, gateway, analytics ? camera : null);
  }

  private async notify(tx: AlertStore, a: AlertRow, kind: NotificationKind, now: Date, out: Array<[NotificationRow, AlertRow]>): Promise<AlertRow> {
    const updated = await tx.updateAlert(a.id, { last_notified_at: now, notify_count: a.notify_count + 1 });
    out.push([await tx.insertNotification(updated, kind, now), updated]);
    return updated;
  }

  private async resolveAlert(tx: AlertStore, a: AlertRow, by: string, now: Date, out: Array<[NotificationRow, AlertRow]>): Promise<AlertRow> {
    const resolved = await tx.updateAlert(a.id, { status: 'resolved', resolved_at: now, resolved_by: by });
    if (by === 'auto') await tx.audit({ at: now, actor: 'ingest', action: 'alert.resolved', alertId: a.id, detail: { by } });
    if (a.notify_count > 0) out.push([await tx.insertNotification(resolved, 'resolved', now), resolved]);
    // The camera or gateway is back: alerts it suppressed now reach their agencies.
    for (const inhibited of await tx.alertsInhibitedBy(a.id)) {
      const freed = await tx.updateAlert(inhibited.id, { inhibited_by: null });
      if (freed.status === 'firing' && !freed.silenced_by) await this.notify(tx, freed, 'firing', now, out);
    }
    return resolved;
  }
}

export function matchSilence(silences: SilenceRow[], site: string, gateway: string, camera: string | null, type: string): SilenceRow | undefined {
  return silences.find(
    (s) => (s.site === null || s.site === site) && (s.gateway === null || s.gateway === gateway) && (s.camera === null || s.camera === camera) && (s.type === null || s.type === type),
  );
}

function summaryOf(e: VigilEvent): Record<string, unknown> {
  return { started_at: e.started_at, zone: e.zone ?? null, attributes: e.attributes, evidence: e.evidence.map((r) => r.sha256) };
}
