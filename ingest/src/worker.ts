import { createLogger, createMetricsRegistry, type Clock, type Logger, type Registry, systemClock } from '@vigil/observe';
import { DEFAULT_MAX_MESSAGE_BYTES, VigilError, type VigilEvent } from '@vigil/contracts';
import { AlertEngine, type AlertEngineOptions } from './alerting/engine.js';
import { MqttConsumer, type ConsumerOptions, type ReceivedMessage } from './consume/consumer.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import type { EvidenceStore } from './store/evidence/evidence-store.js';
import type { VigilStore } from './store/postgres/interfaces.js';
import type { AlertRow, NotificationRow } from './store/postgres/schema.js';
import type { TimeSeriesWriter } from './store/timeseries/point.js';
import { eventPoints, healthPoints, telemetryPoints } from './store/timeseries/points-from.js';
import { classify } from './validate/classify.js';

/** Dead letters keep this much of a bad payload: enough to see what was wrong, not a 256 MB attack. */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;

export interface IngestPipelineOptions {
  store: VigilStore;
  timeseries: TimeSeriesWriter;
  evidence?: EvidenceStore;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  maxMessageBytes?: number;
  alerting?: Omit<AlertEngineOptions, 'clock' | 'logger'>;
  /**
   * A gap is reported (metric, warning) once it stays open this long: parallel workers store events
   * out of order, so most gaps are filled within milliseconds and are not a health problem.
   */
  gapGraceMs?: number;
}

/**
 * consume -> validate -> store -> alerting for one message. Separate from the MQTT consumer so tests
 * and the benchmark can drive it directly, and so the consumer stays about acknowledgements only.
 */
export class IngestPipeline {
  readonly store: VigilStore;
  readonly timeseries: TimeSeriesWriter;
  readonly engine: AlertEngine;
  readonly metrics: IngestMetrics;
  readonly registry: Registry;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private reportedGaps = 0;

  constructor(private readonly options: IngestPipelineOptions) {
    this.store = options.store;
    this.timeseries = options.timeseries;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createLogger('ingest');
    this.registry = options.registry ?? createMetricsRegistry('ingest', false);
    this.metrics = createIngestMetrics(this.registry, { pendingPoints: () => this.timeseries.pending(), openGaps: async () => (await this.staleGaps()).length });
    this.engine = new AlertEngine(this.store, { ...options.alerting, clock: this.clock, logger: this.logger });
    this.engine.onNotification((n) => this.metrics.notifications.inc({ kind: n.kind, agency: n.agency }));
  }

  /** Stores one message. Throws only when a store is unreachable (the caller retries, not acks). */
  async handle(msg: ReceivedMessage): Promise<void> {
    const started = performance.now();
    const received = new Date(this.clock.now());
    const c = classify(msg.topic, msg.payload, msg.userProperties, this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    if (!c.ok) return this.deadLetter(msg, c.reason, received);
    const m = c.message;
    switch (m.kind) {
      case 'event':
        await this.handleEvent(m.value, received);
        break;
      case 'telemetry':
        await this.timeseries.write(telemetryPoints(m.value));
        break;
      case 'gateway-health':
        await this.timeseries.write(healthPoints(m.value));
        await this.store.setGatewayHealth(m.value, received);
        break;
      case 'gateway-status': {
        const notes = await this.store.transaction(async (tx) => {
          await tx.setGatewayStatus(m.value, received);
          return this.engine.applyGatewayStatus(tx, m.value);
        });
        this.engine.publish(notes);
        break;
      }
      case 'evidence-chunk': {
        const parts = await this.store.putEvidenceChunk({ sha256: m.value.sha256, index: m.value.index, count: m.value.count, contentType: m.value.content_type, bytes: m.value.bytes, data: m.data, receivedAt: received });
        if (parts) {
          if (!this.options.evidence) {
            this.logger.warn({ sha256: m.value.sha256 }, 'evidence file arrived but no evidence directory is configured; dropped');
            break;
          }
          try {
            await this.options.evidence.put(m.value.sha256, Buffer.concat(parts));
          } catch (err) {
            if (err instanceof VigilError && err.code === 'VIGIL_ERR_EVIDENCE_MISMATCH') return this.deadLetter(msg, err.message, received);
            throw err;
          }
          await this.store.markEvidenceStored(m.value.sha256, received);
        }
        break;
      }
    }
    this.metrics.messages.inc({ kind: m.kind });
    this.metrics.handleSeconds.observe({ kind: m.kind }, (performance.now() - started) / 1000);
  }

  private async handleEvent(e: VigilEvent, received: Date): Promise<void> {
    // Time series first: a replay after a crash rewrites the same point (same series and time), so a
    // crash between the two stores cannot lose the flood level.
    const points = eventPoints(e);
    if (points.length) await this.timeseries.write(points);
    let notes: Array<[NotificationRow, AlertRow]> = [];
    // The sequence is tracked in its own short transaction, beside the event's: the per-gateway row
    // lock would otherwise serialise every event of a gateway for the whole alerting work. Either
    // may commit first: gaps are only recorded for numbers with no stored event, a redelivered
    // event changes nothing, and both commit before the PUBACK.
    const [inserted, { missing, filledGap: filled }] = await Promise.all([
      this.store.transaction(async (tx) => {
        const r = await tx.insertEvent(e, received);
        if (!r.inserted) return false;
        await tx.insertEvidenceRefs(e);
        notes = await this.engine.applyEvent(tx, e);
        return true;
      }),
      this.store.transaction((tx) => tx.recordSequence(e.site, e.gateway, e.seq, received)),
    ]);
    if (!inserted) {
      this.metrics.duplicates.inc();
      return;
    }
    this.engine.publish(notes);
    if (missing.length) {
      this.metrics.sequenceMissing.inc({ site: e.site, gateway: e.gateway }, missing.length);
      this.logger.debug({ site: e.site, gateway: e.gateway, missing: missing.length, first: missing[0], at_seq: e.seq }, 'gateway sequence gap recorded');
    }
    if (filled) this.metrics.sequenceFilled.inc({ site: e.site, gateway: e.gateway });
  }

  /** Gaps still open after the grace period: events that may really be lost. */
  staleGaps() {
    return this.store.openGaps(undefined, undefined, new Date(this.clock.now() - (this.options.gapGraceMs ?? 60_000)));
  }

  /** Logs stale gaps per gateway when their number changed since the last check (no log flood). */
  async reportGaps(): Promise<number> {
    const gaps = await this.staleGaps();
    if (gaps.length !== this.reportedGaps) {
      const byGateway = new Map<string, number[]>();
      for (const g of gaps) byGateway.set(`${g.site}/${g.gateway}`, [...(byGateway.get(`${g.site}/${g.gateway}`) ?? []), g.seq]);
      for (const [gateway, seqs] of byGateway) {
        this.logger.warn({ gateway, missing: seqs.length, first: seqs[0], last: seqs[seqs.length - 1] }, 'gateway sequence gap still open: events may be lost (see sequence_gaps)');
      }
      this.reportedGaps = gaps.length;
    }
    return gaps.length;
  }

  async deadLetter(msg: ReceivedMessage, reason: string, received = new Date(this.clock.now())): Promise<void> {
    reason = printable(reason);
    const payload = msg.payload.byteLength > MAX_DEAD_LETTER_BYTES ? msg.payload.subarray(0, MAX_DEAD_LETTER_BYTES) : msg.payload;
    await this.store.insertDeadLetter({ topic: printable(msg.topic.slice(0, 1024)), reason, payload, receivedAt: received });
    // The real size, not the kept part: "oversized" must stay visible.
    this.metrics.deadLetters.inc({ channel: msg.topic.split('/').at(-1)?.slice(0, 32) ?? '' });
    this.logger.debug({ topic: msg.topic, reason, bytes: msg.payload.byteLength }, 'dead-lettered');
  }
}

/**
 * PostgreSQL text cannot hold NUL, and control characters in a reason only garble logs; the raw bytes
 * are kept in the payload column anyway.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** SQLSTATE classes 22 (data exception) and 23 (constraint): the same message will fail again. */
export function isDataError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code);
}

export interface IngestWorkerOptions extends IngestPipelineOptions {
  mqtt: Omit<ConsumerOptions, 'onGiveUp' | 'logger'>;
}

/** An ingest worker: the MQTT consumer in front of the pipeline, plus the alert engine's timer. */
export class IngestWorker {
  readonly pipeline: IngestPipeline;
  readonly consumer: MqttConsumer;
  private readonly logger: Logger | undefined;

  constructor(options: IngestWorkerOptions) {
    this.pipeline = new IngestPipeline(options);
    const logger = options.logger;
    this.logger = logger;
    this.consumer = new MqttConsumer(
      {
        ...options.mqtt,
        ...(logger ? { logger } : {}),
        isPermanent: isDataError,
        onGiveUp: (msg, err) => this.pipeline.deadLetter(msg, `could not be stored: ${err.message}`),
      },
      (msg) => this.pipeline.handle(msg),
    );
  }

  private gapTimer: NodeJS.Timeout | undefined;

  async start(): Promise<void> {
    await this.consumer.start();
    this.pipeline.engine.start();
    this.gapTimer = setInterval(() => {
      this.pipeline.reportGaps().catch((err: Error) => this.logger?.error({ err }, 'gap check failed'));
    }, 30_000);
    this.gapTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.gapTimer);
    this.pipeline.engine.stop();
    await this.consumer.close();
  }
}
