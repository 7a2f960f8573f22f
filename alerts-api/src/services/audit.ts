import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/tables.js';

/** Every state change is written to ingest's shared audit_log: who, when, what, on which alert. */
export async function audit(
  db: Kysely<Database> | Transaction<Database>,
  entry: { actor: string; action: string; alertId?: number | null; detail?: Record<string, unknown>; at?: Date },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: entry.at ?? new Date(),
      actor: entry.actor,
      action: entry.action,
      alert_id: entry.alertId ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}
