import Sqlite from 'better-sqlite3';
import type { Logger } from '@vigil/observe';
import { toLineProtocol, type Point, type StoredPoint, type TimeRange, type TimeSeriesWriter } from './point.js';

export interface InfluxWriterOptions {
  /** Base URL of the v1 API, e.g. http://127.0.0.1:8086 (InfluxDB 1.x, or 2.x/3.x's v1 compatibility API). */
  url: string;
  /** v1 database; on 2.x/3.x the DBRP mapping (or bucket name) it resolves to. */
  database: string;
  retentionPolicy?: string;
  /** 1.x users; on 2.x/3.x the username is ignored and the password is an API token. */
  username?: string;
  password?: string;
  /** Sent as `Authorization: Token ...` (2.x/3.x) instead of username/password. */
  token?: string;
  /** SQLite file that holds points until InfluxDB has them (':memory:' only in tests that do not need it). */
  bufferPath: string;
  /** Lines per POST /write. InfluxDB's docs recommend 5,000-10,000. */
  batchSize?: number;
  /** Longest wait before a partial batch is sent. */
  lingerMs?: number;
  /** Create the database on start (1.x); turn off on 2.x/3.x where buckets are made by an admin. */
  createDatabase?: boolean;
  logger?: Logger;
  /** Called with each delivered batch size and each failure, for metrics. */
  onDelivered?: (points: number) => void;
  onError?: (err: Error, retryInMs: number) => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Writes points to InfluxDB's v1 /write in batches of line protocol. Every point first lands in a
 * SQLite buffer on disk (write() resolves after that commit), and a sender drains the buffer oldest
 * first; while InfluxDB is down it retries with backoff and the buffer grows. Replays are harmless:
 * InfluxDB keeps one value per series + timestamp.
 */
export class InfluxTimeSeriesWriter implements TimeSeriesWriter {
  readonly kind = 'influxdb';
  private readonly buffer: Sqlite.Database;
  private readonly opts: Required<Pick<InfluxWriterOptions, 'batchSize' | 'lingerMs'>> & InfluxWriterOptions;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private backoffMs = 0;
  private closed = false;
  private dbReady = false;
  private waiters: Array<() => void> = [];
  private depth: number;

  constructor(options: InfluxWriterOptions) {
    this.opts = { batchSize: 5000, lingerMs: 200, ...options };
    this.buffer = new Sqlite(options.bufferPath);
    this.buffer.pragma('journal_mode = WAL');
    this.buffer.exec('CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL)');
    this.buffer.exec('CREATE TABLE IF NOT EXISTS rejected (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, error TEXT NOT NULL, lines TEXT NOT NULL)');
    this.depth = (this.buffer.prepare('SELECT count(*) AS n FROM pending').get() as { n: number }).n;
    if (this.depth > 0) this.schedule(0);
  }

  async write(points: Point[]): Promise<void> {
    if (points.length === 0) return;
    const lines = points.map(toLineProtocol);
    const insert = this.buffer.prepare('INSERT INTO pending (line) VALUES (?)');
    this.buffer.transaction((ls: string[]) => {
      for (const l of ls) insert.run(l);
    })(lines);
    this.depth += lines.length;
    this.schedule(this.depth >= this.opts.batchSize ? 0 : this.opts.lingerMs);
  }

  pending(): number {
    return this.depth;
  }

  /** Lines InfluxDB refused (HTTP 400: bad type, field conflict): kept for inspection, not retried. */
  rejected(): { at: number; error: string; lines: string }[] {
    return this.buffer.prepare('SELECT at, error, lines FROM rejected ORDER BY id').all() as { at: number; error: string; lines: string }[];
  }

  flush(timeoutMs = 30_000): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    this.schedule(0);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`InfluxDB at ${this.opts.url} did not take ${this.depth} buffered points within ${timeoutMs} ms; they stay in ${this.opts.bufferPath}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  async query(measurement: string, range: TimeRange, tags: Record<string, string> = {}): Promise<StoredPoint[]> {
    const where = [`time >= ${range.from}ms`, `time < ${range.to}ms`, ...Object.entries(tags).map(([k, v]) => `${quoteIdent(k)} = '${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)];
    const q = `SELECT * FROM ${quoteIdent(measurement)} WHERE ${where.join(' AND ')} GROUP BY *`;
    const params = new URLSearchParams({ q, epoch: 'ms', db: this.opts.database });
    if (this.opts.retentionPolicy) params.set('rp', this.opts.retentionPolicy);
    const res = await this.request('/query', params, undefined);
    if (!res.ok) throw new Error(`InfluxDB query failed (${res.status}): ${await res.text()}`);
    const body = (await res.json()) as { results: { error?: string; series?: { tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[] };
    const out: StoredPoint[] = [];
    for (const r of body.results) {
      if (r.error) throw new Error(`InfluxDB query failed: ${r.error}`);
      for (const s of r.series ?? []) {
        const seriesTags = Object.fromEntries(Object.entries(s.tags ?? {}).filter(([, v]) => v !== ''));
        for (const row of s.values) {
          const fields: StoredPoint['fields'] = {};
          s.columns.forEach((c, i) => {
            if (c !== 'time' && row[i] !== null && !(c in seriesTags)) fields[c] = row[i] as number | string | boolean;
          });
          out.push({ measurement, tags: seriesTags, fields, time: row[0] as number });
        }
      }
    }
    return out.sort((a, b) => a.time - b.time || JSON.stringify(a.tags).localeCompare(JSON.stringify(b.tags)));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sending;
    this.buffer.close();
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.sending) return;
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.drain().finally(() => {
        this.sending = undefined;
        if (this.depth > 0 && !this.closed) this.schedule(this.backoffMs);
      });
    }, Math.max(delayMs, this.backoffMs));
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.depth > 0) {
      const rows = this.buffer.prepare('SELECT id, line FROM pending ORDER BY id LIMIT ?').all(this.opts.batchSize) as { id: number; line: string }[];
      if (rows.length === 0) {
        this.depth = 0;
        break;
      }
      const lastId = rows[rows.length - 1]!.id;
      const body = rows.map((r) => r.line).join('\n');
      let outcome: 'ok' | 'rejected' | 'retry';
      let error = '';
      try {
        await this.ensureDatabase();
        const params = new URLSearchParams({ db: this.opts.database, precision: 'ms' });
        if (this.opts.retentionPolicy) params.set('rp', this.opts.retentionPolicy);
        const res = await this.request('/write', params, body);
        error = res.ok ? '' : await res.text();
        outcome = res.status === 204 ? 'ok' : res.status === 400 ? 'rejected' : 'retry';
        if (outcome === 'retry') error = `HTTP ${res.status}: ${error}`;
      } catch (err) {
        outcome = 'retry';
        error = (err as Error).message;
      }
      if (outcome === 'retry') {
        this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(500, this.backoffMs * 2));
        this.opts.onError?.(new Error(`InfluxDB write failed: ${error}`), this.backoffMs);
        this.opts.logger?.warn({ url: this.opts.url, pending: this.depth, retryInMs: this.backoffMs, error }, 'InfluxDB unavailable; points stay buffered on disk');
        return;
      }
      this.buffer.transaction(() => {
        if (outcome === 'rejected') this.buffer.prepare('INSERT INTO rejected (at, error, lines) VALUES (?, ?, ?)').run(Date.now(), error, body);
        this.buffer.prepare('DELETE FROM pending WHERE id <= ?').run(lastId);
      })();
      if (outcome === 'rejected') this.opts.logger?.error({ error, lines: rows.length }, 'InfluxDB refused a batch; kept in the rejected table of the buffer');
      else this.opts.onDelivered?.(rows.length);
      this.backoffMs = 0;
      this.depth = Math.max(0, this.depth - rows.length);
    }
    if (this.depth === 0) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    }
  }

  private async ensureDatabase(): Promise<void> {
    if (this.dbReady || this.opts.createDatabase === false) return;
    const res = await this.request('/query', new URLSearchParams({ q: `CREATE DATABASE ${quoteIdent(this.opts.database)}` }), '');
    if (!res.ok) throw new Error(`cannot create database ${this.opts.database}: HTTP ${res.status} ${await res.text()}`);
    this.dbReady = true;
  }

  private request(path: string, params: URLSearchParams, body: string | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.opts.token) headers.authorization = `Token ${this.opts.token}`;
    else if (this.opts.username !== undefined) {
      params.set('u', this.opts.username);
      params.set('p', this.opts.password ?? '');
    }
    return fetch(`${this.opts.url.replace(/\/$/, '')}${path}?${params}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : body,
      signal: AbortSignal.timeout(10_000),
    });
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
