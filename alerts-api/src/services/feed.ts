import type { Kysely } from 'kysely';
import type { Logger } from '@vigil/observe';
import type { Database } from '../db/tables.js';
import { inScope, type Scope } from '../auth/roles.js';
import { insertFeed, loadAlertView } from './alerts.js';

export interface FeedMessage {
  id: number;
  kind: string;
  at: string;
  alert_type: string;
  site: string;
  payload: Record<string, unknown>;
}

interface Subscriber {
  scope: Scope | null;
  lastId: number;
  /** Live messages held back while the replay is read, so none is skipped or sent twice. */
  held: FeedMessage[] | null;
  send(message: FeedMessage): void;
}

/**
 * The live feed. Every change is a row in api_feed (ids are the SSE event ids, so Last-Event-ID
 * replay works across reconnects and API restarts). Ingest's notifications (new, repeat, escalated and
 * auto-resolved alerts) are relayed into it; operator actions are written by AlertService. One poll
 * loop reads new rows and fans them out to subscribers, each filtered by its own scope.
 */
export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private lastId = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    private readonly pollMs: number,
    private readonly replayLimit = 1000,
  ) {}

  async start(): Promise<void> {
    const row = await this.db.selectFrom('api_feed').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    this.lastId = Number(row?.max ?? 0);
    this.schedule();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Something changed: poll now instead of waiting for the next tick. */
  poke(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.tick().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.poke();
      } else this.schedule();
    });
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poke(), this.pollMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.relayNotifications();
      const rows = await this.db.selectFrom('api_feed').selectAll().where('id', '>', this.lastId).orderBy('id').limit(this.replayLimit).execute();
      for (const row of rows) {
        const message = toMessage(row);
        this.lastId = message.id;
        for (const s of this.subscribers) deliver(s, message);
      }
      if (rows.length === this.replayLimit) this.again = true;
    } catch (err) {
      if (!this.closed) this.log.error({ err }, 'live feed poll failed; retrying on the next tick');
    }
  }

  /** Ingest marks what needs telling (notifications); we deliver each once, even with several API instances. */
  private async relayNotifications(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const pending = await trx
        .selectFrom('notifications')
        .selectAll()
        .where('delivered_at', 'is', null)
        .orderBy('id')
        .limit(500)
        .forUpdate()
        .skipLocked()
        .execute();
      if (pending.length === 0) return;
      const now = new Date();
      for (const n of pending) {
        const alert = await loadAlertView(trx as unknown as Kysely<Database>, n.alert_id);
        if (alert) await insertFeed(trx, `alert.${n.kind}`, alert, { escalation_level: n.escalation_level, agency: n.agency }, n.created_at);
      }
      await trx.updateTable('notifications').set({ delivered_at: now }).where('id', 'in', pending.map((p) => p.id)).execute();
    });
  }

  /**
   * Subscribes; first replays what came after `afterId` (from the table), then live messages. Returns
   * the unsubscribe function. `scope` null = unscoped (webhook dispatcher).
   */
  async subscribe(scope: Scope | null, afterId: number | undefined, send: (m: FeedMessage) => void): Promise<() => void> {
    const replay = afterId !== undefined && afterId < this.lastId;
    const sub: Subscriber = { scope, lastId: afterId ?? this.lastId, held: replay ? [] : null, send };
    this.subscribers.add(sub);
    if (replay) {
      const upTo = this.lastId;
      const rows = await this.db.selectFrom('api_feed').selectAll().where('id', '>', afterId).where('id', '<=', upTo).orderBy('id').limit(this.replayLimit).execute();
      const held = sub.held ?? [];
      sub.held = null;
      for (const row of rows) deliver(sub, toMessage(row));
      for (const m of held) deliver(sub, m);
    }
    return () => this.subscribers.delete(sub);
  }

  /** Retention: feed rows older than `maxAgeMs` go (replay reaches back that far, no further). */
  async prune(maxAgeMs: number, now = Date.now()): Promise<number> {
    const r = await this.db.deleteFrom('api_feed').where('at', '<', new Date(now - maxAgeMs)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    this.subscribers.clear();
  }
}

function deliver(s: Subscriber, m: FeedMessage): void {
  if (s.held) {
    s.held.push(m);
    return;
  }
  if (m.id <= s.lastId) return;
  s.lastId = m.id;
  if (s.scope && !inScope(s.scope, { type: m.alert_type, site: m.site })) return;
  s.send(m);
}

function toMessage(row: { id: number | string; kind: string; at: Date; alert_type: string; site: string; payload: Record<string, unknown> }): FeedMessage {
  return { id: Number(row.id), kind: row.kind, at: row.at.toISOString(), alert_type: row.alert_type, site: row.site, payload: row.payload };
}
