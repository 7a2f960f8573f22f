import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { VigilError } from '@vigil/contracts';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

const INT8_OID = 20;
// Sequence numbers and bigserial ids stay far below 2^53; numbers are easier for every caller than strings.
const parseInt8 = (v: string) => Number(v);

export type DatabaseTarget =
  /** A PostgreSQL server. */
  | { url: string; poolSize?: number }
  /** Embedded PGlite (Postgres in WASM): a data directory, or in memory when dir is omitted. */
  | { embedded: true; dir?: string };

export interface OpenDatabase {
  db: Kysely<Database>;
  /** "postgres" or "pglite", for logs and metrics. */
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/** Opens the database, runs migrations, and returns a typed kysely handle. */
export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  let db: Kysely<Database>;
  let kind: OpenDatabase['kind'];
  if ('url' in target) {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 8,
      types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
    });
    try {
      const c = await pool.connect();
      c.release();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new VigilError('VIGIL_ERR_STORE_CONNECT', `cannot connect to PostgreSQL at ${redact(target.url)}: ${(err as Error).message}. Check --postgres (postgres://user:password@host:5432/db) and that the server is up.`, { cause: err });
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    kind = 'postgres';
  } else {
    const pglite = new PGlite(target.dir ?? 'memory://', { parsers: { [INT8_OID]: parseInt8 } });
    await pglite.waitReady;
    db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    kind = 'pglite';
  }
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, kind, close: () => db.destroy() };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
