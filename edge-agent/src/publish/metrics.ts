import { Counter, Gauge, type Registry } from '@vigil/observe';
import { OUTBOX_KINDS, type Outbox } from './outbox.js';

export interface PublishMetrics {
  delivered: Counter<'kind'>;
  publishErrors: Counter<'reason'>;
  evidenceMissing: Counter;
  connected: Gauge;
}

/** Outbox gauges are read at scrape time from outbox.stats(), so they cannot drift from the store. */
export function registerPublishMetrics(registry: Registry, outbox: () => Outbox | undefined): PublishMetrics {
  const stats = () => outbox()?.stats();
  new Gauge({
    name: 'vigil_outbox_depth',
    help: 'Messages waiting in the outbox for a PUBACK, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = stats();
      for (const k of OUTBOX_KINDS) this.set({ kind: k }, s?.depthByKind[k] ?? 0);
    },
  });
  new Gauge({
    name: 'vigil_outbox_bytes',
    help: 'Bytes counted against the outbox bound (storage.outbox_max_mb).',
    registers: [registry],
    collect() {
      this.set(stats()?.bytes ?? 0);
    },
  });
  new Gauge({
    name: 'vigil_outbox_max_bytes',
    help: 'The outbox bound; over it, the oldest telemetry is dropped (events never are).',
    registers: [registry],
    collect() {
      this.set(stats()?.maxBytes ?? 0);
    },
  });
  new Gauge({
    name: 'vigil_outbox_oldest_age_seconds',
    help: 'Age of the oldest message waiting in the outbox.',
    registers: [registry],
    collect() {
      this.set(stats()?.oldestAgeSeconds ?? 0);
    },
  });
  new Gauge({
    name: 'vigil_outbox_telemetry_dropped',
    help: 'Telemetry messages dropped by the size bound since the outbox was opened.',
    registers: [registry],
    collect() {
      this.set(stats()?.droppedTelemetry ?? 0);
    },
  });
  return {
    delivered: new Counter({ name: 'vigil_publish_delivered_total', help: 'Messages acknowledged by the broker (PUBACK) and removed from the outbox.', labelNames: ['kind'], registers: [registry] }),
    publishErrors: new Counter({ name: 'vigil_publish_errors_total', help: 'Publishes the broker refused (the message stays in the outbox and is retried).', labelNames: ['reason'], registers: [registry] }),
    evidenceMissing: new Counter({ name: 'vigil_publish_evidence_missing_total', help: 'Evidence chunks whose file was gone when they were due (dropped, logged).', registers: [registry] }),
    connected: new Gauge({ name: 'vigil_publish_connected', help: '1 while connected to the broker.', registers: [registry] }),
  };
}
