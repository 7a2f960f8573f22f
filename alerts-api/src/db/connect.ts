import { openDatabase as openIngestDatabase, type DatabaseTarget } from '@vigil/ingest';
import type { Kysely } from 'kysely';
import type { ApiTables, Database } from './tables.js';
import { migrateApiTables } from './migrations.js';

export type { DatabaseTarget };

/**
 * Opens the shared database through ingest (real Postgres by URL, or embedded PGlite), which brings
 * ingest's schema up to date, then adds the API's own tables.
 */
export async function openDatabase(target: DatabaseTarget): Promise<{ db: Kysely<Database>; kind: 'postgres' | 'pglite'; close(): Promise<void> }> {
  const opened = await openIngestDatabase(target);
  const db = opened.db.withTables<ApiTables>();
  try {
    await migrateApiTables(db);
  } catch (err) {
    await opened.close();
    throw err;
  }
  return { db, kind: opened.kind, close: opened.close };
}
