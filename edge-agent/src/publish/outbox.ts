/**
 * The outbox: every message the gateway must deliver is committed here first, published from here with
 * QoS 1, and removed only when the broker's PUBACK arrives. It is the gateway's only store-and-forward
 * state; mqtt.js's own stores are not used for this, because they are keyed by 16-bit packet ids that
 * collide across restarts.
 *
 * An interface with an in-memory implementation and a disk one (MQTT.js's `Store` habit); both pass the
 * one conformance suite in edge-agent/test/publish/outbox-conformance.ts.
 */

/**
 * Delivery classes, in priority order. Events go first (an operator is waiting for them), evidence next
 * (it is referenced by events already delivered), telemetry last: it is periodic, the next sample
 * supersedes it, and it is the only class the size bound may drop.
 */
export type OutboxKind = 'event' | 'evidence' | 'telemetry';
export const OUTBOX_KINDS: readonly OutboxKind[] = ['event', 'evidence', 'telemetry'];
export const KIND_PRIORITY: Readonly<Record<OutboxKind, number>> = { event: 0, evidence: 1, telemetry: 2 };

/** Stamps assigned inside the commit, so they are never reused, even across crashes and restarts. */
export interface OutboxStamp {
  /** Per-gateway sequence number, +1 per message of this kind: gaps in event seq show lost events. */
  seq: number;
  /** ULID: ingest de-duplicates on it (QoS 1 may deliver twice). */
  id: string;
}

/** A slice of a file on disk (evidence chunk): the bytes stay in the file, not in memory or the database. */
export interface FileSlice {
  path: string;
  offset: number;
  length: number;
}

export interface OutboxInput {
  kind: OutboxKind;
  /** Ordering key: messages with the same key (a camera id, or "" for the gateway) leave in commit order. */
  camera: string;
  topic: string;
  /** The payload, or a function that builds it from the stamps (events carry their own seq and id). */
  payload: Uint8Array | ((stamp: OutboxStamp) => Uint8Array);
  /** Evidence chunk: the payload is read from this file slice at publish time. */
  file?: FileSlice;
  /** MQTT 5 user properties (evidence chunk header). */
  properties?: Record<string, string>;
  contentType?: string;
}

export interface OutboxMessage extends OutboxStamp {
  /** Commit order over all kinds; the handle passed to ack(). */
  key: number;
  kind: OutboxKind;
  camera: string;
  topic: string;
  payload: Buffer;
  file?: FileSlice;
  properties?: Record<string, string>;
  contentType?: string;
  /** Commit time, ms since the epoch. */
  enqueuedAt: number;
  /** Bytes this row counts against the size bound. */
  bytes: number;
}

export interface OutboxStats {
  depth: number;
  depthByKind: Record<OutboxKind, number>;
  /** Bytes counted against the bound: payloads plus a fixed per-row overhead (evidence file bytes are not counted; they live in the evidence directory with its own bound). */
  bytes: number;
  maxBytes: number;
  /** Age of the oldest waiting message, 0 when empty. */
  oldestAgeSeconds: number;
  /** Telemetry messages dropped by the size bound since this outbox was opened. */
  droppedTelemetry: number;
}

export interface Outbox {
  /** Commits one message; when this returns it survives a crash (to the implementation's durability). */
  enqueue(input: OutboxInput): OutboxMessage;
  /** Commits several messages atomically (all chunks of one evidence file, or none). */
  enqueueAll(inputs: OutboxInput[]): OutboxMessage[];
  /**
   * The next messages to send, best first: by kind priority, then commit order (so per camera, per
   * kind, in order). Messages whose key is in `skip` (already in flight) are left out.
   */
  peek(limit: number, skip?: ReadonlySet<number>): OutboxMessage[];
  /** Removes a message after its PUBACK. Returns false if it was already gone (acked twice, or thinned). */
  ack(key: number): boolean;
  /** Files that waiting rows still read from (evidence retention must keep them). */
  referencedFiles(): Set<string>;
  stats(now?: number): OutboxStats;
  close(): void;
}

/** Fixed per-row cost counted against the bound, so millions of tiny rows cannot escape it. */
export const ROW_OVERHEAD_BYTES = 64;

export const DEFAULT_OUTBOX_MAX_BYTES = 512 * 1024 * 1024;

export function rowBytes(input: { topic: string; payload: Uint8Array; properties?: Record<string, string> }): number {
  let props = 0;
  for (const [k, v] of Object.entries(input.properties ?? {})) props += k.length + v.length;
  return ROW_OVERHEAD_BYTES + Buffer.byteLength(input.topic) + input.payload.byteLength + props;
}

export function emptyStats(maxBytes: number): OutboxStats {
  return { depth: 0, depthByKind: { event: 0, evidence: 0, telemetry: 0 }, bytes: 0, maxBytes, oldestAgeSeconds: 0, droppedTelemetry: 0 };
}
