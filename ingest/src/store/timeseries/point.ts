/** An integer field: written as `12i` so InfluxDB stores an integer, not a float. */
export interface IntField {
  int: number;
}
export type FieldValue = number | string | boolean | IntField;

/** One time-series point, as InfluxDB models it. Time is epoch milliseconds. */
export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  time: number;
}

/** A point read back: integer fields come back as plain numbers. */
export interface StoredPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  time: number;
}

export const int = (value: number): IntField => ({ int: Math.trunc(value) });

export function isInt(v: FieldValue): v is IntField {
  return typeof v === 'object' && v !== null && 'int' in v;
}

// Line protocol escaping (InfluxDB docs, "Special characters"): measurement escapes comma and space;
// tag keys/values and field keys escape comma, equals and space; string field values escape " and \.
const escMeasurement = (s: string) => s.replace(/[, ]/g, (c) => `\\${c}`);
const escKey = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`);
const escString = (s: string) => s.replace(/["\\]/g, (c) => `\\${c}`);

export function fieldText(v: FieldValue): string {
  if (isInt(v)) return `${v.int}i`;
  if (typeof v === 'string') return `"${escString(v)}"`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (!Number.isFinite(v)) throw new Error(`field value ${v} is not a finite number; InfluxDB cannot store it`);
  return String(v);
}

/** One line of line protocol with millisecond precision. Empty tag values are dropped (Influx rejects them). */
export function toLineProtocol(p: Point): string {
  const tags = Object.keys(p.tags)
    .filter((k) => p.tags[k] !== '')
    .sort()
    .map((k) => `,${escKey(k)}=${escKey(p.tags[k]!)}`)
    .join('');
  const fields = Object.entries(p.fields)
    .map(([k, v]) => `${escKey(k)}=${fieldText(v)}`)
    .join(',');
  if (!fields) throw new Error(`point ${p.measurement} has no fields; InfluxDB needs at least one`);
  return `${escMeasurement(p.measurement)}${tags} ${fields} ${Math.round(p.time)}`;
}

export function plainFields(fields: Record<string, FieldValue>): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = isInt(v) ? v.int : v;
  return out;
}

export interface TimeRange {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

/**
 * Where telemetry and flood levels go. write() is durable when it resolves (the caller acknowledges
 * the MQTT message after it), even if the database behind it is down.
 */
export interface TimeSeriesWriter {
  readonly kind: string;
  write(points: Point[]): Promise<void>;
  /** Resolves once every written point is in the database (or rejects after timeoutMs). */
  flush(timeoutMs?: number): Promise<void>;
  /** Points accepted but not yet in the database. */
  pending(): number;
  query(measurement: string, range: TimeRange, tags?: Record<string, string>): Promise<StoredPoint[]>;
  close(): Promise<void>;
}
