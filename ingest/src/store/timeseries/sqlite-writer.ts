import Sqlite from 'better-sqlite3';
import { plainFields, type Point, type StoredPoint, type TimeRange, type TimeSeriesWriter } from './point.js';

/**
 * The embedded time-series store for the demo and single-box installs: points in a SQLite file.
 * Same semantics as InfluxDB where callers can see them: one value per series + time (a rewrite
 * replaces it), integers read back as numbers.
 */
export class SqliteTimeSeriesWriter implements TimeSeriesWriter {
  readonly kind = 'sqlite';
  private readonly db: Sqlite.Database;
  private readonly insert: Sqlite.Statement;

  /** `path` is a file, or ':memory:'. */
  constructor(path: string) {
    this.db = new Sqlite(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS points (
      measurement TEXT NOT NULL, series TEXT NOT NULL, time INTEGER NOT NULL, tags TEXT NOT NULL, fields TEXT NOT NULL,
      PRIMARY KEY (measurement, series, time))`);
    this.insert = this.db.prepare(
      `INSERT INTO points (measurement, series, time, tags, fields) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (measurement, series, time) DO UPDATE SET fields = json_patch(points.fields, excluded.fields)`,
    );
  }

  async write(points: Point[]): Promise<void> {
    const run = this.db.transaction((ps: Point[]) => {
      for (const p of ps) {
        const tags = sortedTags(p.tags);
        this.insert.run(p.measurement, JSON.stringify(tags), Math.round(p.time), JSON.stringify(tags), JSON.stringify(plainFields(p.fields)));
      }
    });
    run(points);
  }

  async flush(): Promise<void> {}

  pending(): number {
    return 0;
  }

  async query(measurement: string, range: TimeRange, tags: Record<string, string> = {}): Promise<StoredPoint[]> {
    const rows = this.db
      .prepare('SELECT tags, fields, time FROM points WHERE measurement = ? AND time >= ? AND time < ? ORDER BY time, series')
      .all(measurement, range.from, range.to) as { tags: string; fields: string; time: number }[];
    return rows
      .map((r) => ({ measurement, tags: JSON.parse(r.tags) as Record<string, string>, fields: JSON.parse(r.fields) as StoredPoint['fields'], time: r.time }))
      .filter((p) => Object.entries(tags).every(([k, v]) => p.tags[k] === v));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function sortedTags(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) if (tags[k] !== '') out[k] = tags[k]!;
  return out;
}
