import { monotonicFactory } from 'ulid';
import type { Clock } from '@vigil/observe';
import { systemClock } from '@vigil/observe';
import {
  DEFAULT_OUTBOX_MAX_BYTES,
  KIND_PRIORITY,
  emptyStats,
  rowBytes,
  type Outbox,
  type OutboxInput,
  type OutboxKind,
  type OutboxMessage,
  type OutboxStats,
} from './outbox.js';

/**
 * What a MemoryOutbox keeps. Passing the same store to a new MemoryOutbox is "reopening" it: the
 * messages outlive the outbox object, but not the process (use SqliteOutbox for that).
 */
export class MemoryOutboxStore {
  rows = new Map<number, OutboxMessage>();
  nextKey = 1;
  seq: Record<OutboxKind, number> = { event: 0, evidence: 0, telemetry: 0 };
}

export interface MemoryOutboxOptions {
  store?: MemoryOutboxStore;
  maxBytes?: number;
  clock?: Clock;
}

/** The in-memory outbox: for tests, and for a gateway that would rather lose its backlog than wear its flash. */
export class MemoryOutbox implements Outbox {
  private readonly store: MemoryOutboxStore;
  private readonly maxBytes: number;
  private readonly clock: Clock;
  private readonly ulid = monotonicFactory();
  private bytes = 0;
  private readonly depth: Record<OutboxKind, number> = { event: 0, evidence: 0, telemetry: 0 };
  private dropped = 0;
  private closed = false;

  constructor(options: MemoryOutboxOptions = {}) {
    this.store = options.store ?? new MemoryOutboxStore();
    this.maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    this.clock = options.clock ?? systemClock;
    for (const row of this.store.rows.values()) {
      this.bytes += row.bytes;
      this.depth[row.kind]++;
    }
  }

  enqueue(input: OutboxInput): OutboxMessage {
    return this.enqueueAll([input])[0]!;
  }

  enqueueAll(inputs: OutboxInput[]): OutboxMessage[] {
    this.assertOpen();
    // Build everything before touching the store, so a throwing payload builder commits nothing.
    const seq = { ...this.store.seq };
    let nextKey = this.store.nextKey;
    const now = this.clock.now();
    const rows = inputs.map((input): OutboxMessage => {
      const stamp = { seq: ++seq[input.kind], id: this.ulid(now) };
      const payload = Buffer.from(typeof input.payload === 'function' ? input.payload(stamp) : input.payload);
      const row: OutboxMessage = {
        ...stamp,
        key: nextKey++,
        kind: input.kind,
        camera: input.camera,
        topic: input.topic,
        payload,
        enqueuedAt: now,
        bytes: rowBytes({ topic: input.topic, payload, properties: input.properties }),
      };
      if (input.file) row.file = { ...input.file };
      if (input.properties) row.properties = { ...input.properties };
      if (input.contentType) row.contentType = input.contentType;
      return row;
    });
    this.store.seq = seq;
    this.store.nextKey = nextKey;
    for (const row of rows) {
      this.store.rows.set(row.key, row);
      this.bytes += row.bytes;
      this.depth[row.kind]++;
    }
    this.enforceBound();
    return rows;
  }

  peek(limit: number, skip?: ReadonlySet<number>): OutboxMessage[] {
    this.assertOpen();
    const out: OutboxMessage[] = [];
    // Map iteration is insertion (= key) order; one pass per priority keeps per-camera order.
    for (const kind of Object.keys(KIND_PRIORITY) as OutboxKind[]) {
      for (const row of this.store.rows.values()) {
        if (out.length >= limit) return out;
        if (row.kind === kind && !skip?.has(row.key)) out.push(row);
      }
    }
    return out;
  }

  ack(key: number): boolean {
    this.assertOpen();
    const row = this.store.rows.get(key);
    if (!row) return false;
    this.store.rows.delete(key);
    this.bytes -= row.bytes;
    this.depth[row.kind]--;
    return true;
  }

  referencedFiles(): Set<string> {
    const files = new Set<string>();
    for (const row of this.store.rows.values()) if (row.file) files.add(row.file.path);
    return files;
  }

  stats(now = this.clock.now()): OutboxStats {
    const s = emptyStats(this.maxBytes);
    s.depthByKind = { ...this.depth };
    s.depth = this.depth.event + this.depth.evidence + this.depth.telemetry;
    s.bytes = this.bytes;
    // Rows are in key (= commit) order, so the first one is the oldest.
    const oldest = this.store.rows.values().next();
    s.oldestAgeSeconds = oldest.done ? 0 : Math.max(0, (now - oldest.value.enqueuedAt) / 1000);
    s.droppedTelemetry = this.dropped;
    return s;
  }

  close(): void {
    this.closed = true;
  }

  /** Over the bound: drop the oldest telemetry until under it. Events and evidence are never dropped. */
  private enforceBound(): void {
    if (this.bytes <= this.maxBytes) return;
    for (const row of this.store.rows.values()) {
      if (this.bytes <= this.maxBytes) break;
      if (row.kind !== 'telemetry') continue;
      this.store.rows.delete(row.key);
      this.bytes -= row.bytes;
      this.depth.telemetry--;
      this.dropped++;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryOutbox is closed: open a new one on the same store');
  }
}
