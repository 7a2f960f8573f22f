import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { VigilError } from '@vigil/contracts';

/**
 * The API's own tables. Kept under `vigil_api_migrations` so ingest's migration history (the events,
 * alerts and audit tables) and ours never share one table and neither can block the other.
 */
const migrations: Record<string, Migration> = {
  '0001_auth': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_users')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('sites', 'jsonb')
        .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('api_users.id').onDelete('cascade'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('sites', 'jsonb')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .addColumn('last_used_at', 'timestamptz')
        .execute();
    },
  },
  '0002_annotations_feed': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_alert_notes')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('alert_id', 'integer', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('api_alert_notes_alert').on('api_alert_notes').column('alert_id').execute();
      await db.schema
        .createTable('api_alert_assignments')
        .addColumn('alert_id', 'integer', (c) => c.primaryKey())
        .addColumn('assignee', 'text', (c) => c.notNull())
        .addColumn('assigned_by', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_alert_verdicts')
        .addColumn('alert_id', 'integer', (c) => c.primaryKey())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('duplicate_of', 'integer')
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_feed')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('alert_id', 'integer', (c) => c.notNull())
        .addColumn('alert_type', 'text', (c) => c.notNull())
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .execute();
    },
  },
  '0003_webhooks': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_webhook_subscriptions')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('types', 'jsonb')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      await db.schema
        .createTable('api_webhook_deliveries')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('subscription_id', 'integer', (c) => c.notNull().references('api_webhook_subscriptions.id').onDelete('cascade'))
        .addColumn('feed_id', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('delivered_at', 'timestamptz')
        .execute();
      await sql`create index api_webhook_deliveries_due on api_webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(db);
    },
  },
  '0004_alert_list_index': {
    // The operator list reads alerts newest first; without this every page sorts all open alerts.
    // The table is ingest's, the read pattern is ours, so the index lives in our migrations.
    async up(db: Kysely<any>) {
      await sql`create index if not exists api_alerts_newest on alerts (fired_at desc, id desc)`.execute(db);
    },
  },
  '0005_evidence_by_event': {
    // Alert detail, list thumbnails and the export look evidence up by event id.
    async up(db: Kysely<any>) {
      await sql`create index if not exists api_evidence_event on evidence (event_id)`.execute(db);
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateApiTables(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'vigil_api_migrations',
    migrationLockTableName: 'vigil_api_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new VigilError(
      'VIGIL_ERR_STORE_MIGRATION',
      `alerts-api migration ${failed} failed: ${(error as Error).message}. Check the database is reachable and the user may create tables.`,
      { cause: error },
    );
  }
}
