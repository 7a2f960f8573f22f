import type { Kysely } from 'kysely';
import type { Logger } from '@vigil/observe';
import type { Database } from '../db/tables.js';
import { hmacHex, newToken } from '../auth/secrets.js';
import { notFound } from '../errors.js';
import { audit } from './audit.js';
import type { FeedMessage, LiveFeed } from './feed.js';

export interface WebhookSettings {
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number;
  pollMs: number;
}

/** Delays double from backoffMs, capped at an hour so a receiver that is down for a day is not hammered. */
export function backoffDelay(settings: WebhookSettings, attempts: number): number {
  return Math.min(3600_000, settings.backoffMs * 2 ** Math.max(0, attempts - 1));
}

/** The signature receivers check: HMAC-SHA256 over "<timestamp>.<body>" with the subscription secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${hmacHex(secret, `${timestamp}.${body}`)}`;
}

/**
 * Webhooks: every live-feed change matching a subscription becomes a delivery row; a loop posts due
 * deliveries, signed, and retries failures with exponential backoff until maxAttempts, after which the
 * delivery is a dead letter (kept, listed, and retryable by an admin). Rows make it crash-safe.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly feed: LiveFeed,
    private readonly settings: WebhookSettings,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.feed.subscribe(null, undefined, (m) => void this.enqueue(m));
    this.schedule(0);
  }

  async subscribe(input: { url: string; types?: string[] | null; secret?: string }, actor: string) {
    const secret = input.secret ?? newToken('whsec');
    const row = await this.db
      .insertInto('api_webhook_subscriptions')
      .values({ url: input.url, secret, types: JSON.stringify(input.types ?? null), created_by: actor, created_at: new Date() })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(this.db, { actor, action: 'webhook.create', detail: { subscription_id: row.id, url: input.url, types: input.types ?? null } });
    return { ...view(row), secret };
  }

  async list() {
    return (await this.db.selectFrom('api_webhook_subscriptions').selectAll().where('disabled', '=', false).orderBy('id').execute()).map(view);
  }

  async remove(id: number, actor: string) {
    const r = await this.db.updateTable('api_webhook_subscriptions').set({ disabled: true }).where('id', '=', id).where('disabled', '=', false).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound(`Webhook subscription ${id}`);
    await audit(this.db, { actor, action: 'webhook.delete', detail: { subscription_id: id } });
  }

  async deliveries(subscriptionId: number, status?: 'pending' | 'delivered' | 'dead') {
    let q = this.db.selectFrom('api_webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId).orderBy('id', 'desc').limit(500);
    if (status) q = q.where('status', '=', status);
    return (await q.execute()).map((d) => ({
      id: d.id,
      feed_id: Number(d.feed_id),
      status: d.status,
      attempts: d.attempts,
      next_attempt_at: d.next_attempt_at.toISOString(),
      last_error: d.last_error,
      last_status: d.last_status,
      delivered_at: d.delivered_at ? d.delivered_at.toISOString() : null,
    }));
  }

  /** An admin sends a dead letter again (after fixing the receiver): it gets a fresh set of attempts. */
  async retry(deliveryId: number, actor: string) {
    const r = await this.db
      .updateTable('api_webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: new Date() })
      .where('id', '=', deliveryId)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound(`Dead webhook delivery ${deliveryId}`);
    await audit(this.db, { actor, action: 'webhook.retry', detail: { delivery_id: deliveryId } });
    this.schedule(0);
  }

  private async enqueue(m: FeedMessage): Promise<void> {
    try {
      const subs = await this.db.selectFrom('api_webhook_subscriptions').select(['id', 'types']).where('disabled', '=', false).execute();
      const due = subs.filter((s) => s.types === null || s.types.includes(m.alert_type));
      if (due.length === 0) return;
      const now = new Date();
      await this.db
        .insertInto('api_webhook_deliveries')
        .values(due.map((s) => ({ subscription_id: s.id, feed_id: m.id, status: 'pending' as const, attempts: 0, next_attempt_at: now })))
        .execute();
      this.schedule(0);
    } catch (err) {
      if (!this.closed) this.log.error({ err, feed_id: m.id }, 'could not queue webhook deliveries');
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.running) return this.schedule(this.settings.pollMs);
      this.running = this.deliverDue().finally(() => {
        this.running = undefined;
        this.schedule(this.settings.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async deliverDue(): Promise<void> {
    try {
      const due = await this.db
        .selectFrom('api_webhook_deliveries as d')
        .innerJoin('api_webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .innerJoin('api_feed as f', 'f.id', 'd.feed_id')
        .select(['d.id', 'd.attempts', 'd.feed_id', 's.url', 's.secret', 'f.kind', 'f.at', 'f.payload'])
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', new Date())
        .orderBy('d.id')
        .limit(50)
        .execute();
      await Promise.all(due.map((d) => this.attempt(d)));
    } catch (err) {
      if (!this.closed) this.log.error({ err }, 'webhook delivery loop failed; retrying');
    }
  }

  private async attempt(d: { id: number; attempts: number; feed_id: number | string; url: string; secret: string; kind: string; at: Date; payload: Record<string, unknown> }) {
    const body = JSON.stringify({ id: Number(d.feed_id), kind: d.kind, at: d.at.toISOString(), ...d.payload });
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'vigil-webhooks/0.1',
          'x-vigil-event': d.kind,
          'x-vigil-delivery': String(d.id),
          'x-vigil-timestamp': String(timestamp),
          'x-vigil-signature': signWebhook(d.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        redirect: 'manual',
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        await this.db.updateTable('api_webhook_deliveries').set({ status: 'delivered', attempts: d.attempts + 1, last_status: status, last_error: null, delivered_at: new Date() }).where('id', '=', d.id).execute();
        return;
      }
      error = `receiver answered HTTP ${status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${this.settings.timeoutMs} ms` : `connection failed: ${(err as Error).message}`;
    }
    const attempts = d.attempts + 1;
    const dead = attempts >= this.settings.maxAttempts;
    await this.db
      .updateTable('api_webhook_deliveries')
      .set({
        status: dead ? 'dead' : 'pending',
        attempts,
        last_status: status,
        last_error: error,
        next_attempt_at: new Date(Date.now() + backoffDelay(this.settings, attempts)),
      })
      .where('id', '=', d.id)
      .execute();
    if (dead) this.log.warn({ delivery: d.id, url: d.url, error }, 'webhook delivery dead-lettered after retries');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.running;
  }
}

function view(r: { id: number; url: string; types: string[] | null; created_by: string; created_at: Date }) {
  return { id: r.id, url: r.url, types: r.types, created_by: r.created_by, created_at: r.created_at.toISOString() };
}
