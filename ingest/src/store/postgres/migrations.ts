import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { VigilError } from '@vigil/contracts';

/**
 * Migrations live in code (not a folder scanned at run time) so the bundled CLI and the demo carry
 * them. Append new ones; never edit a released one.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-22-001-ingest': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('incident', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('camera', 'text', (c) => c.notNull())
        .addColumn('zone', 'text')
        .addColumn('score', 'double precision', (c) => c.notNull())
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('ended_at', 'timestamptz')
        .addColumn('frame_at', 'timestamptz', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addColumn('body', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_gateway_seq').on('events').columns(['site', 'gateway', 'seq']).execute();
      await db.schema.createIndex('events_incident').on('events').columns(['incident']).execute();
      await db.schema.createIndex('events_camera_time').on('events').columns(['site', 'camera', 'frame_at']).execute();

      await db.schema
        .createTable('dead_letters')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('payload', 'bytea', (c) => c.notNull())
        .addColumn('payload_bytes', 'integer', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('gateway_sequences')
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('max_seq', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('gateway_sequences_pk', ['site', 'gateway'])
        .execute();
      await db.schema
        .createTable('sequence_gaps')
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('detected_at', 'timestamptz', (c) => c.notNull())
        .addColumn('filled_at', 'timestamptz')
        .addPrimaryKeyConstraint('sequence_gaps_pk', ['site', 'gateway', 'seq'])
        .execute();

      await db.schema
        .createTable('gateways')
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('agent_version', 'text')
        .addColumn('state_at', 'timestamptz', (c) => c.notNull())
        .addColumn('health', 'jsonb')
        .addColumn('health_at', 'timestamptz')
        .addPrimaryKeyConstraint('gateways_pk', ['site', 'gateway'])
        .execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('group_key', 'text', (c) => c.notNull().unique())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('camera', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('incident', 'text', (c) => c.notNull())
        .addColumn('agency', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('held', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('score', 'double precision', (c) => c.notNull())
        .addColumn('first_event_id', 'text', (c) => c.notNull())
        .addColumn('last_event_id', 'text', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_event_at', 'timestamptz', (c) => c.notNull())
        .addColumn('incident_ended_at', 'timestamptz')
        .addColumn('acknowledged_at', 'timestamptz')
        .addColumn('acknowledged_by', 'text')
        .addColumn('resolved_at', 'timestamptz')
        .addColumn('resolved_by', 'text')
        .addColumn('inhibited_by', 'bigint')
        .addColumn('silenced_by', 'bigint')
        .addColumn('last_notified_at', 'timestamptz')
        .addColumn('notify_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('summary', 'jsonb', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_open').on('alerts').columns(['status', 'site', 'camera']).execute();
      await db.schema.createIndex('alerts_agency').on('alerts').columns(['agency', 'status', 'fired_at']).execute();

      await db.schema
        .createTable('silences')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('site', 'text')
        .addColumn('gateway', 'text')
        .addColumn('camera', 'text')
        .addColumn('type', 'text')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
        .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('notifications')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('alert_id', 'bigint', (c) => c.notNull().references('alerts.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('agency', 'text', (c) => c.notNull())
        .addColumn('escalation_level', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('delivered_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('notifications_alert').on('notifications').columns(['alert_id']).execute();

      await db.schema
        .createTable('evidence')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('stored_at', 'timestamptz')
        .addPrimaryKeyConstraint('evidence_pk', ['sha256', 'event_id'])
        .execute();
      await db.schema
        .createTable('evidence_chunks')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('index', 'integer', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('data', 'bytea', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('evidence_chunks_pk', ['sha256', 'index'])
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('alert_id', 'bigint')
        .addColumn('detail', 'jsonb', (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX audit_log_alert ON audit_log (alert_id, at)`.execute(db);
    },
    async down(db: Kysely<any>) {
      for (const t of ['audit_log', 'evidence_chunks', 'evidence', 'notifications', 'silences', 'alerts', 'gateways', 'sequence_gaps', 'gateway_sequences', 'dead_letters', 'events']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Ingest's own migration history; other packages (alerts-api) keep theirs in their own tables. */
export const INGEST_MIGRATION_TABLE = 'vigil_ingest_migrations';

/** Brings the schema up to date; throws a VigilError naming the migration that failed. */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider, migrationTableName: INGEST_MIGRATION_TABLE, migrationLockTableName: `${INGEST_MIGRATION_TABLE}_lock` }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(unknown)';
    throw new VigilError('VIGIL_ERR_STORE_MIGRATION', `database migration ${failed} failed: ${(error as Error).message ?? String(error)}. Check the database URL and that the user may create tables.`, { cause: error });
  }
}
