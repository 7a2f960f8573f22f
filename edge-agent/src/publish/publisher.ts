import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { assertMessage, topics, type GatewayHealth, type GatewayStatus, type Telemetry, type VigilError, type VigilEvent } from '@vigil/contracts';
import { createLogger, createMetricsRegistry, systemClock, type Clock, type Logger, type Registry } from '@vigil/observe';
import { brokerOptions, explainLinkError, type BrokerLink } from './broker-link.js';
import { frameEvidenceChunk, planEvidence, readSlice, type EvidenceFile } from './evidence.js';
import { buildHealth, CpuSampler, type CameraHealth } from './health.js';
import { registerPublishMetrics, type PublishMetrics } from './metrics.js';
import type { Outbox, OutboxMessage } from './outbox.js';

/** An event as analytics hands it over: the outbox assigns `seq` (and `id`, unless one is given). */
export type EventDraft = VigilEvent extends infer E ? (E extends VigilEvent ? Omit<E, 'id' | 'seq'> & { id?: string } : never) : never;

export interface PublisherOptions {
  site: string;
  gateway: string;
  link: BrokerLink;
  outbox: Outbox;
  agentVersion: string;
  /** Where the outbox and evidence live (its free space is reported in health). */
  storageDir: string;
  /** Per-camera fps and state, from the pipeline. */
  cameras?: () => CameraHealth[];
  models?: () => Record<string, string>;
  /** Remote config state for health (RemoteConfig.state). */
  configState?: () => GatewayHealth['config'];
  /** Raw payloads from the retained config topic (hand them to RemoteConfig.handle). */
  onConfig?: (payload: Buffer) => void;
  healthIntervalMs?: number;
  /** Unacknowledged publishes allowed at once. Bigger drains a backlog faster; resends after a drop grow with it. */
  inFlight?: number;
  backoff?: { initialMs: number; maxMs: number };
  clientId?: string;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
}

export interface PublisherEvents {
  connect: [];
  disconnect: [];
  delivered: [OutboxMessage];
  error: [VigilError];
}

/**
 * Sends the outbox to the broker. One mqtt.js client per connection (reconnectPeriod 0): when a
 * connection dies, everything it had in flight is simply still in the outbox and is sent again, in
 * order, on the next one; mqtt.js's own packet-id store never carries anything across connections.
 * QoS 1 means a message may arrive twice (a PUBACK lost with the link): ingest de-duplicates on `id`.
 */
export class Publisher extends EventEmitter<PublisherEvents> {
  readonly statusTopic: string;
  readonly configTopic: string;
  readonly healthTopic: string;
  private readonly o: PublisherOptions;
  private link: BrokerLink;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: PublishMetrics;
  private readonly cpu = new CpuSampler();
  private client: MqttClient | undefined;
  private generation = 0;
  private connected = false;
  private stopped = true;
  private attempt = 0;
  private connectedAt = new Date(0);
  private readonly inFlight = new Set<number>();
  /** Messages the broker refused (e.g. ACL): retried later, never dropped. key -> retry time. */
  private readonly parked = new Map<number, { until: number; delayMs: number }>();
  private pumping = false;
  private pumpAgain = false;
  private reconnectTimer: { cancel(): void } | undefined;
  private healthTimer: { cancel(): void } | undefined;
  private parkTimer: { cancel(): void } | undefined;
  private lastError: VigilError | undefined;

  constructor(options: PublisherOptions) {
    super();
    this.o = options;
    this.link = options.link;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('edge-publish');
    this.metrics = registerPublishMetrics(options.registry ?? createMetricsRegistry('edge-publish', false), () => this.o.outbox);
    this.statusTopic = topics.gateway(options.site, options.gateway, 'status');
    this.configTopic = topics.gateway(options.site, options.gateway, 'config');
    this.healthTopic = topics.gateway(options.site, options.gateway, 'health');
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The last link error, explained (TLS, credentials, unreachable). */
  get error(): VigilError | undefined {
    return this.lastError;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.scheduleHealth();
  }

  /** Commits an event to the outbox (assigning seq and id) and sends it when the link allows. */
  publishEvent(draft: EventDraft): OutboxMessage {
    this.assertOwn(draft.site, draft.gateway);
    const message = this.o.outbox.enqueue({
      kind: 'event',
      camera: draft.camera,
      topic: topics.camera(draft.site, draft.gateway, draft.camera, 'event'),
      payload: (stamp) => {
        const event = assertMessage('event', { ...draft, id: draft.id ?? stamp.id, seq: stamp.seq });
        return Buffer.from(JSON.stringify(event));
      },
    });
    this.kick();
    return message;
  }

  publishTelemetry(sample: Telemetry): OutboxMessage {
    this.assertOwn(sample.site, sample.gateway);
    const t = assertMessage('telemetry', sample);
    const message = this.o.outbox.enqueue({
      kind: 'telemetry',
      camera: t.camera,
      topic: topics.camera(t.site, t.gateway, t.camera, 'telemetry'),
      payload: Buffer.from(JSON.stringify(t)),
    });
    this.kick();
    return message;
  }

  /** Queues an evidence file as chunks (all or none). The file must stay on disk until delivered. */
  async publishEvidence(file: Omit<EvidenceFile, 'site' | 'gateway'>): Promise<{ sha256: string; bytes: number; count: number }> {
    const plan = await planEvidence({ ...file, site: this.o.site, gateway: this.o.gateway });
    this.o.outbox.enqueueAll(plan.inputs);
    this.kick();
    return { sha256: plan.sha256, bytes: plan.bytes, count: plan.count };
  }

  /** Something was enqueued into the outbox directly: send it when the window allows. */
  kick(): void {
    void this.pump();
  }

  /** A new `mqtt` section (remote config): drop the current connection and connect with it. */
  relink(link: BrokerLink): void {
    this.link = link;
    if (this.stopped) return;
    const old = this.client;
    this.generation++;
    this.connected = false;
    this.inFlight.clear();
    this.reconnectTimer?.cancel();
    this.attempt = 0;
    old?.end(true);
    this.connect();
  }

  /** Publishes a retained "offline" (a clean disconnect sends no Last Will) and closes the link. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.healthTimer?.cancel();
    this.parkTimer?.cancel();
    const client = this.client;
    this.client = undefined;
    this.generation++;
    this.connected = false;
    this.inFlight.clear();
    if (!client) return;
    if (client.connected) {
      try {
        await client.publishAsync(this.statusTopic, JSON.stringify(this.status('offline')), { qos: 1, retain: true });
      } catch (err) {
        this.log.warn({ err }, 'could not publish offline status on stop');
      }
    }
    await client.endAsync(true);
  }

  private assertOwn(site: string, gateway: string): void {
    if (site !== this.o.site || gateway !== this.o.gateway) {
      throw new Error(`message for ${site}/${gateway} handed to the publisher of ${this.o.site}/${this.o.gateway}: the broker ACL would refuse it; fix the site/gateway of the producer`);
    }
  }

  private status(state: GatewayStatus['state']): GatewayStatus {
    return assertMessage('gateway-status', {
      v: 1,
      site: this.o.site,
      gateway: this.o.gateway,
      state,
      at: this.connectedAt.toISOString(),
      agent_version: this.o.agentVersion,
    });
  }

  private connect(): void {
    const generation = ++this.generation;
    this.connectedAt = new Date(this.clock.now());
    let options: IClientOptions;
    try {
      options = brokerOptions(this.link);
    } catch (err) {
      this.fail(err as VigilError);
      this.scheduleReconnect();
      return;
    }
    const client = mqtt.connect(this.link.url, {
      ...options,
      clientId: this.o.clientId ?? `vigil-${this.o.site}-${this.o.gateway}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      queueQoSZero: false,
      will: { topic: this.statusTopic, payload: Buffer.from(JSON.stringify(this.status('offline'))), qos: 1, retain: true },
    });
    this.client = client;
    const current = () => generation === this.generation;
    client.on('connect', () => {
      if (!current()) return;
      this.connected = true;
      this.attempt = 0;
      this.lastError = undefined;
      this.metrics.connected.set(1);
      this.log.info({ url: this.link.url }, 'connected to broker');
      client.publish(this.statusTopic, JSON.stringify(this.status('online')), { qos: 1, retain: true });
      client.subscribe(this.configTopic, { qos: 1 }, (err) => {
        if (err && current()) this.log.error({ err, topic: this.configTopic }, 'cannot subscribe to the remote config topic (check the broker ACL grants read on it)');
      });
      this.emit('connect');
      void this.pump();
    });
    client.on('message', (topic, payload) => {
      if (current() && topic === this.configTopic) this.o.onConfig?.(payload);
    });
    client.on('error', (err) => {
      if (current()) this.fail(explainLinkError(err as Error & { code?: string | number }, this.link));
    });
    client.on('close', () => {
      if (!current()) return;
      const wasConnected = this.connected;
      this.connected = false;
      this.metrics.connected.set(0);
      // Whatever was in flight is still in the outbox; it goes again, in order, on the next connection.
      this.inFlight.clear();
      this.generation++;
      client.end(true);
      if (wasConnected) {
        this.log.warn({ depth: this.o.outbox.stats().depth }, 'broker link lost; buffering in the outbox');
        this.emit('disconnect');
      }
      this.scheduleReconnect();
    });
  }

  private fail(err: VigilError): void {
    const repeated = this.lastError?.message === err.message;
    this.lastError = err;
    if (!repeated) this.log.error({ code: err.code }, err.message);
    if (this.listenerCount('error')) this.emit('error', err);
  }

  /** Exponential backoff with jitter, so a fleet of gateways does not reconnect in lockstep after an outage. */
  private scheduleReconnect(): void {
    if (this.stopped) return;
    const { initialMs, maxMs } = this.o.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const base = Math.min(maxMs, initialMs * 2 ** this.attempt++);
    const delay = base * (0.8 + 0.4 * Math.random());
    this.reconnectTimer = this.clock.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private scheduleHealth(): void {
    const every = this.o.healthIntervalMs ?? 60_000;
    this.healthTimer = this.clock.setTimeout(() => {
      this.publishHealth();
      if (!this.stopped) this.scheduleHealth();
    }, every);
  }

  /** Health is live state: sent QoS 0 when connected, never queued (a stale sample is worthless). */
  publishHealth(): GatewayHealth | undefined {
    const health = assertMessage(
      'gateway-health',
      buildHealth({
        site: this.o.site,
        gateway: this.o.gateway,
        at: new Date(this.clock.now()),
        cpuRatio: this.cpu.sample(),
        storageDir: this.o.storageDir,
        cameras: this.o.cameras?.() ?? [],
        outbox: this.o.outbox.stats(this.clock.now()),
        agentVersion: this.o.agentVersion,
        models: this.o.models?.() ?? {},
        config: this.o.configState?.(),
      }),
    );
    if (this.connected && this.client) this.client.publish(this.healthTopic, JSON.stringify(health), { qos: 0 });
    return health;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.sendWindow();
      } while (this.pumpAgain);
    } catch (err) {
      this.log.error({ err }, 'outbox pump failed; retrying on the next kick');
    } finally {
      this.pumping = false;
    }
  }

  private async sendWindow(): Promise<void> {
    const window = this.o.inFlight ?? 32;
    const now = this.clock.now();
    for (const [key, p] of this.parked) if (p.until <= now) this.parked.delete(key);
    while (this.connected && this.client && this.inFlight.size < window) {
      const skip = this.parked.size ? new Set([...this.inFlight, ...this.parked.keys()]) : this.inFlight;
      const batch = this.o.outbox.peek(window - this.inFlight.size, skip);
      if (!batch.length) return;
      for (const m of batch) {
        const generation = this.generation;
        let payload = m.payload;
        if (m.file) {
          try {
            payload = await readSlice(m.file);
          } catch (err) {
            this.metrics.evidenceMissing.inc();
            this.log.error({ err, file: m.file.path, id: m.id }, 'evidence file is gone or changed before it was sent; dropping this chunk (check evidence retention keeps files until delivered)');
            this.o.outbox.ack(m.key);
            continue;
          }
        }
        if (generation !== this.generation || !this.connected || !this.client) return;
        this.send(m, payload);
      }
    }
  }

  private send(m: OutboxMessage, payload: Buffer): void {
    const client = this.client!;
    const generation = this.generation;
    const options: mqtt.IClientPublishOptions = { qos: 1 };
    if ((this.link.protocol_version ?? 5) === 4) {
      // MQTT 3.1.1 has no user properties: the evidence header travels in a VGEV frame (contracts).
      if (m.kind === 'evidence' && m.properties) payload = frameEvidenceChunk(m.properties, payload);
    } else if (m.properties || m.contentType) {
      options.properties = { userProperties: m.properties, contentType: m.contentType };
    }
    this.inFlight.add(m.key);
    client.publish(m.topic, payload, options, (err) => {
      if (generation !== this.generation) return; // that connection is gone; the row is still queued
      this.inFlight.delete(m.key);
      if (err) {
        this.refused(m, err);
      } else {
        this.o.outbox.ack(m.key);
        this.parked.delete(m.key);
        this.metrics.delivered.inc({ kind: m.kind });
        this.emit('delivered', m);
      }
      // Refill at every PUBACK. Waiting for half the window to free up looks cheaper (fewer outbox
      // queries) but stalls on TCP delayed ACKs: 10x slower on loopback (measured, bench/outbox).
      void this.pump();
    });
  }

  /** The broker answered with a failure reason (e.g. 135 not authorized): keep the message, retry later. */
  private refused(m: OutboxMessage, err: Error & { code?: number | string }): void {
    const previous = this.parked.get(m.key)?.delayMs ?? 0;
    const delayMs = Math.min(300_000, previous ? previous * 2 : 5_000);
    this.parked.set(m.key, { until: this.clock.now() + delayMs, delayMs });
    this.metrics.publishErrors.inc({ reason: String(err.code ?? err.message) });
    this.log.error({ topic: m.topic, id: m.id, err: err.message, retryInMs: delayMs }, 'broker refused a publish; it stays in the outbox and is retried (check the broker ACL for this gateway)');
    this.parkTimer?.cancel();
    this.parkTimer = this.clock.setTimeout(() => void this.pump(), delayMs);
  }
}
