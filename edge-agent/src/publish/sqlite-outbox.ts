import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { monotonicFactory } from 'ulid';
import { VigilError } from '@vigil/contracts';
import { systemClock, type Clock } from '@vigil/observe';
import {
  DEFAULT_OUTBOX_MAX_BYTES,
  KIND_PRIORITY,
  OUTBOX_KINDS,
  emptyStats,
  rowBytes,
  type Outbox,
  type OutboxInput,
  type OutboxKind,
  type OutboxMessage,
  type OutboxStats,
} from './outbox.js';

/**
 * How hard a commit is pushed to the disk (SQLite `synchronous` in WAL mode).
 * - `full` (default): the WAL is fsynced at every commit, so a committed event survives a power cut.
 *   Gateways sit in roadside cabinets on commune power, where power cuts are the common crash.
 * - `normal`: survives a crash of the agent (kill -9, OOM) but the last commits before a power cut may
 *   be lost; about an order of magnitude more commits per second on SD cards. See bench/outbox.
 */
export type OutboxDurability = 'full' | 'normal';

export interface SqliteOutboxOptions {
  /** Database file, e.g. `<storage.dir>/outbox.db` (created with its directory). */
  path: string;
  maxBytes?: number;
  durability?: OutboxDurability;
  clock?: Clock;
}

const SCHEMA_VERSION = 1;
/** How long acks wait to be deleted together (bounds the duplicates a crash can cause). */
const ACK_FLUSH_MS = 25;

interface Row {
  key: number;
  kind: OutboxKind;
  seq: number;
  id: string;
  camera: string;
  topic: string;
  payload: Buffer;
  file_path: string | null;
  file_offset: number | null;
  file_length: number | null;
  properties: string | null;
  content_type: string | null;
  enqueued_at: number;
  bytes: number;
}

/** The disk outbox: better-sqlite3 in WAL mode; one transaction per commit. */
export class SqliteOutbox implements Outbox {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly maxBytes: number;
  private readonly clock: Clock;
  private readonly ulid = monotonicFactory();
  private bytes = 0;
  private readonly depth: Record<OutboxKind, number> = { event: 0, evidence: 0, telemetry: 0 };
  private dropped = 0;
  /** Acked keys not yet deleted on disk (see ack()). */
  private readonly acked = new Set<number>();
  private flushScheduled = false;
  private readonly statements;
  private readonly insertAll: (inputs: OutboxInput[]) => OutboxMessage[];
  private readonly deleteAcked: (keys: number[]) => void;

  constructor(options: SqliteOutboxOptions) {
    this.path = options.path;
    this.maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    this.clock = options.clock ?? systemClock;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path, { timeout: 2000 });
    } catch (err) {
      throw new VigilError('VIGIL_ERR_OUTBOX', `cannot open the outbox ${options.path} (${(err as Error).message}): check storage.dir exists and is writable`, { cause: err });
    }
    // One agent per outbox: two would send everything twice. EXCLUSIVE locking holds the write lock
    // from the first write until close (the OS drops it if the process dies), so the second opener
    // fails here instead of racing.
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (err) {
      this.db.close();
      throw new VigilError('VIGIL_ERR_OUTBOX', `outbox ${options.path} is in use by another process (${(err as Error).message}): run one edge agent per storage.dir`, { cause: err });
    }
    this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      this.db.close();
      throw new VigilError('VIGIL_ERR_OUTBOX', `outbox ${options.path} was written by a newer agent (schema ${version}, this one knows ${SCHEMA_VERSION}): upgrade the agent, or deliver its backlog with the newer one first`);
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        key INTEGER PRIMARY KEY AUTOINCREMENT,
        priority INTEGER NOT NULL,
        kind TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        camera TEXT NOT NULL,
        topic TEXT NOT NULL,
        payload BLOB NOT NULL,
        file_path TEXT,
        file_offset INTEGER,
        file_length INTEGER,
        properties TEXT,
        content_type TEXT,
        enqueued_at INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS outbox_send_order ON outbox (priority, key);
      CREATE INDEX IF NOT EXISTS outbox_kind_order ON outbox (kind, key);
      -- Sequence numbers live in their own table so they keep rising after every row is acked.
      CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, value INTEGER NOT NULL);
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
    this.statements = {
      insert: this.db.prepare(`INSERT INTO outbox (priority, kind, seq, id, camera, topic, payload, file_path, file_offset, file_length, properties, content_type, enqueued_at, bytes)
        VALUES (@priority, @kind, @seq, @id, @camera, @topic, @payload, @file_path, @file_offset, @file_length, @properties, @content_type, @enqueued_at, @bytes)`),
      nextSeq: this.db.prepare(`INSERT INTO sequences (kind, value) VALUES (?, 1) ON CONFLICT (kind) DO UPDATE SET value = value + 1 RETURNING value`),
      peek: this.db.prepare(`SELECT * FROM outbox ORDER BY priority, key LIMIT ?`),
      row: this.db.prepare(`SELECT kind, bytes FROM outbox WHERE key = ?`),
      oldestTelemetry: this.db.prepare(`SELECT key, bytes FROM outbox WHERE kind = 'telemetry' ORDER BY key LIMIT 256`),
      drop: this.db.prepare(`DELETE FROM outbox WHERE key = ?`),
      oldest: this.db.prepare(`SELECT key, enqueued_at FROM outbox ORDER BY key LIMIT ?`),
      files: this.db.prepare(`SELECT DISTINCT file_path FROM outbox WHERE file_path IS NOT NULL`),
      totals: this.db.prepare(`SELECT kind, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM outbox GROUP BY kind`),
    };
    for (const t of this.statements.totals.all() as { kind: OutboxKind; n: number; bytes: number }[]) {
      this.depth[t.kind] = t.n;
      this.bytes += t.bytes;
    }
    this.deleteAcked = this.db.transaction((keys: number[]) => {
      for (const key of keys) this.statements.drop.run(key);
    });
    this.insertAll = this.db.transaction((inputs: OutboxInput[]) => {
      const now = this.clock.now();
      const rows = inputs.map((input) => this.insertOne(input, now));
      this.enforceBound();
      return rows;
    });
  }

  enqueue(input: OutboxInput): OutboxMessage {
    return this.enqueueAll([input])[0]!;
  }

  enqueueAll(inputs: OutboxInput[]): OutboxMessage[] {
    const before = { ...this.depth, bytes: this.bytes, dropped: this.dropped };
    try {
      return this.insertAll(inputs);
    } catch (err) {
      // The transaction rolled back: so must our running totals.
      for (const k of OUTBOX_KINDS) this.depth[k] = before[k];
      this.bytes = before.bytes;
      this.dropped = before.dropped;
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_FULL' || code?.startsWith('SQLITE_IOERR') || code?.startsWith('SQLITE_READONLY')) {
        throw new VigilError('VIGIL_ERR_OUTBOX', `outbox ${this.path} cannot commit (${code}: ${(err as Error).message}): free space on storage.dir or lower storage.evidence_max_mb; nothing was queued`, { cause: err });
      }
      throw err;
    }
  }

  peek(limit: number, skip?: ReadonlySet<number>): OutboxMessage[] {
    const rows = this.statements.peek.all(limit + (skip?.size ?? 0) + this.acked.size) as Row[];
    const out: OutboxMessage[] = [];
    for (const r of rows) {
      if (out.length >= limit) break;
      if (!skip?.has(r.key) && !this.acked.has(r.key)) out.push(fromRow(r));
    }
    return out;
  }

  /**
   * Acks are batched: the row leaves peek() and the totals at once, and is deleted on disk with the
   * other acks of the next ACK_FLUSH_MS in one transaction (one fsync for a burst of PUBACKs, instead
   * of one each). A crash in between re-sends those messages: a duplicate, which ingest drops by id;
   * never a loss.
   */
  ack(key: number): boolean {
    if (this.acked.has(key)) return false;
    const row = this.statements.row.get(key) as { kind: OutboxKind; bytes: number } | undefined;
    if (!row) return false;
    this.acked.add(key);
    this.depth[row.kind]--;
    this.bytes -= row.bytes;
    if (this.acked.size >= 512) this.flushAcks();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setTimeout(() => this.flushAcks(), ACK_FLUSH_MS).unref();
    }
    return true;
  }

  /** Deletes acked rows now (also done by close()). */
  flushAcks(): void {
    this.flushScheduled = false;
    if (!this.acked.size || !this.db.open) return;
    this.deleteAcked([...this.acked]);
    this.acked.clear();
  }

  referencedFiles(): Set<string> {
    this.flushAcks();
    return new Set((this.statements.files.all() as { file_path: string }[]).map((r) => r.file_path));
  }

  stats(now = this.clock.now()): OutboxStats {
    const s = emptyStats(this.maxBytes);
    s.depthByKind = { ...this.depth };
    s.depth = this.depth.event + this.depth.evidence + this.depth.telemetry;
    s.bytes = this.bytes;
    const oldest = (this.statements.oldest.all(this.acked.size + 1) as { key: number; enqueued_at: number }[]).find((r) => !this.acked.has(r.key));
    s.oldestAgeSeconds = oldest ? Math.max(0, (now - oldest.enqueued_at) / 1000) : 0;
    s.droppedTelemetry = this.dropped;
    return s;
  }

  close(): void {
    if (!this.db.open) return;
    this.flushAcks();
    this.db.close();
  }

  private insertOne(input: OutboxInput, now: number): OutboxMessage {
    const seq = (this.statements.nextSeq.get(input.kind) as { value: number }).value;
    const stamp = { seq, id: this.ulid(now) };
    const payload = Buffer.from(typeof input.payload === 'function' ? input.payload(stamp) : input.payload);
    const bytes = rowBytes({ topic: input.topic, payload, properties: input.properties });
    const info = this.statements.insert.run({
      priority: KIND_PRIORITY[input.kind],
      kind: input.kind,
      seq,
      id: stamp.id,
      camera: input.camera,
      topic: input.topic,
      payload,
      file_path: input.file?.path ?? null,
      file_offset: input.file?.offset ?? null,
      file_length: input.file?.length ?? null,
      properties: input.properties ? JSON.stringify(input.properties) : null,
      content_type: input.contentType ?? null,
      enqueued_at: now,
      bytes,
    });
    this.depth[input.kind]++;
    this.bytes += bytes;
    const message: OutboxMessage = { ...stamp, key: Number(info.lastInsertRowid), kind: input.kind, camera: input.camera, topic: input.topic, payload, enqueuedAt: now, bytes };
    if (input.file) message.file = { ...input.file };
    if (input.properties) message.properties = { ...input.properties };
    if (input.contentType) message.contentType = input.contentType;
    return message;
  }

  /** Over the bound: drop the oldest telemetry until under it. Events and evidence are never dropped. */
  private enforceBound(): void {
    if (this.bytes <= this.maxBytes) return;
    for (const key of this.acked) this.statements.drop.run(key);
    this.acked.clear();
    while (this.bytes > this.maxBytes && this.depth.telemetry > 0) {
      const victims = this.statements.oldestTelemetry.all() as { key: number; bytes: number }[];
      if (!victims.length) break;
      for (const v of victims) {
        if (this.bytes <= this.maxBytes) break;
        this.statements.drop.run(v.key);
        this.depth.telemetry--;
        this.bytes -= v.bytes;
        this.dropped++;
      }
    }
  }
}

function fromRow(r: Row): OutboxMessage {
  const m: OutboxMessage = {
    key: r.key,
    kind: r.kind,
    seq: r.seq,
    id: r.id,
    camera: r.camera,
    topic: r.topic,
    payload: r.payload,
    enqueuedAt: r.enqueued_at,
    bytes: r.bytes,
  };
  if (r.file_path !== null) m.file = { path: r.file_path, offset: r.file_offset ?? 0, length: r.file_length ?? 0 };
  if (r.properties !== null) m.properties = JSON.parse(r.properties) as Record<string, string>;
  if (r.content_type !== null) m.contentType = r.content_type;
  return m;
}
