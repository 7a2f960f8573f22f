import { Counter, Gauge, Histogram, type Registry } from '@vigil/observe';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

export interface IngestGauges {
  pendingPoints(): number;
  openGaps(): Promise<number>;
}

export function createIngestMetrics(registry: Registry, gauges: IngestGauges) {
  return {
    messages: new Counter({ name: 'vigil_ingest_messages_total', help: 'Messages stored, by kind.', labelNames: ['kind'] as const, registers: [registry] }),
    deadLetters: new Counter({ name: 'vigil_ingest_dead_letters_total', help: 'Messages that broke the contract and went to dead_letters.', labelNames: ['channel'] as const, registers: [registry] }),
    duplicates: new Counter({ name: 'vigil_ingest_duplicate_events_total', help: 'Events delivered again (same id) and ignored.', registers: [registry] }),
    sequenceMissing: new Counter({ name: 'vigil_ingest_sequence_missing_total', help: 'Gateway sequence numbers recorded missing when a later one arrived (most are filled by reordered deliveries).', labelNames: ['site', 'gateway'] as const, registers: [registry] }),
    sequenceFilled: new Counter({ name: 'vigil_ingest_sequence_filled_total', help: 'Missing sequence numbers that arrived late.', labelNames: ['site', 'gateway'] as const, registers: [registry] }),
    notifications: new Counter({ name: 'vigil_ingest_alert_notifications_total', help: 'Alert notifications created.', labelNames: ['kind', 'agency'] as const, registers: [registry] }),
    points: new Counter({ name: 'vigil_ingest_timeseries_points_total', help: 'Points delivered to the time-series database.', registers: [registry] }),
    timeseriesErrors: new Counter({ name: 'vigil_ingest_timeseries_errors_total', help: 'Failed writes to the time-series database (points stay buffered).', registers: [registry] }),
    timeseriesPending: new Gauge({ name: 'vigil_ingest_timeseries_pending_points', help: 'Points buffered on disk waiting for the time-series database.', registers: [registry], collect() {
        this.set(gauges.pendingPoints());
      } }),
    openGaps: new Gauge({ name: 'vigil_ingest_sequence_gaps_open', help: 'Missing gateway sequence numbers still not filled after the grace period: possibly lost events.', registers: [registry], async collect() {
        this.set(await gauges.openGaps());
      } }),
    handleSeconds: new Histogram({ name: 'vigil_ingest_handle_seconds', help: 'Time from receipt to commit.', labelNames: ['kind'] as const, buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10], registers: [registry] }),
  };
}
