import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { topics } from '@vigil/contracts';
import type { Logger } from '@vigil/observe';

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  userProperties: Record<string, string | string[]> | undefined;
}

/** Stores one message. Resolving means it is committed; throwing means "not stored, try again". */
export type MessageHandler = (msg: ReceivedMessage) => Promise<void>;

export interface ConsumerOptions {
  url: string;
  /** Stable per worker slot: the broker keeps this session's unacknowledged messages for it. */
  clientId: string;
  /** Shared subscription group: workers in one group split the messages between them. */
  group?: string;
  username?: string;
  password?: string;
  /** Parallel MQTT connections in this worker (each a member of the group, each one message in hand). */
  connections?: number;
  /** How long the broker keeps the session (and its queued messages) after a disconnect. */
  sessionExpirySeconds?: number;
  /** Attempts at storing a message before handing it to onGiveUp. */
  maxAttempts?: number;
  /** Errors that retrying cannot fix (bad data, not a down database): give up at once. */
  isPermanent?: (err: Error) => boolean;
  /** Last resort for a message that could not be stored (e.g. dead-letter it); must not throw to ack. */
  onGiveUp?: (msg: ReceivedMessage, err: Error) => Promise<void>;
  logger?: Logger;
  /**
   * 5 (default) or 4 = MQTT 3.1.1, for brokers without MQTT 5 such as the demo's aedes: no shared
   * subscriptions there (leave `group` unset), and evidence headers arrive framed in the payload.
   */
  protocolVersion?: 4 | 5;
  mqttOptions?: Partial<IClientOptions>;
}

/**
 * MQTT 5 consumer that acknowledges after the write commits. mqtt.js would send PUBACK as soon as the
 * 'message' handler returns; with `customHandleAcks` the PUBACK waits for our callback, so a worker
 * killed mid-write leaves the message unacknowledged and the broker delivers it again. mqtt.js hands a
 * connection one message at a time in that mode, so a worker opens several connections for throughput.
 */
export class MqttConsumer {
  private clients: MqttClient[] = [];
  private closing = false;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: ConsumerOptions,
    private readonly handler: MessageHandler,
  ) {}

  async start(): Promise<void> {
    const n = Math.max(1, this.options.connections ?? 1);
    const filters = topics.ingestFilters(this.options.group);
    for (let i = 0; i < n; i++) {
      const clientId = n === 1 ? this.options.clientId : `${this.options.clientId}-${i}`;
      const v5 = (this.options.protocolVersion ?? 5) === 5;
      if (!v5 && this.options.group) throw new Error(`shared subscription group "${this.options.group}" needs MQTT 5; with protocolVersion 4 run one worker without a group`);
      const client = mqtt.connect(this.options.url, {
        protocolVersion: v5 ? 5 : 4,
        clientId,
        clean: false,
        username: this.options.username,
        password: this.options.password,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        ...(v5
          ? {
              properties: { sessionExpiryInterval: this.options.sessionExpirySeconds ?? 24 * 3600 },
              customHandleAcks: (topic: string, payload: Buffer, packet: IPublishPacket, ack: (error: Error | number, code?: number) => void) =>
                this.receive(topic, payload, packet, ack),
            }
          : {}),
        ...this.options.mqttOptions,
      });
      // mqtt.js honours customHandleAcks on MQTT 5 only. On 3.1.1 the PUBACK is sent when handleMessage
      // calls back, so the same rule holds there: acknowledge only after the write commits.
      if (!v5) client.handleMessage = (packet, done) => this.receive(packet.topic, packet.payload as Buffer, packet, (err) => done(typeof err === 'number' ? undefined : err));
      client.on('error', (err) => this.options.logger?.warn({ err, clientId }, 'MQTT error; mqtt.js reconnects'));
      client.on('offline', () => this.options.logger?.warn({ clientId, url: this.options.url }, 'MQTT broker unreachable; reconnecting'));
      client.on('message', () => undefined);
      this.clients.push(client);
      await new Promise<void>((resolve, reject) => {
        const onConnect = () => {
          client.off('error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          client.off('connect', onConnect);
          reject(new Error(`cannot connect to MQTT broker ${this.options.url} as ${clientId}: ${err.message}`));
        };
        client.once('connect', onConnect);
        client.once('error', onError);
      });
      const granted = await client.subscribeAsync(filters, { qos: 1 });
      const refused = granted.filter((g) => g.qos > 2);
      if (refused.length) throw new Error(`broker refused subscriptions ${refused.map((g) => `${g.topic} (reason ${g.qos})`).join(', ')}; check the ingest user's ACL`);
    }
  }

  /** Stops taking messages, waits for those in hand, disconnects; unacked messages stay with the broker. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(this.clients.map((c) => c.endAsync(false)));
  }

  /** Disconnects at once, acknowledging nothing more (what a crash looks like to the broker). */
  async abort(): Promise<void> {
    this.closing = true;
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
  }

  private receive(topic: string, payload: Buffer, packet: { properties?: { userProperties?: Record<string, string | string[]> } }, ack: (error: Error | number, code?: number) => void): void {
    const msg: ReceivedMessage = { topic, payload, userProperties: packet.properties?.userProperties };
    const work = this.store(msg).then(
      (stored) => {
        if (stored) ack(0);
      },
      (err: Error) => this.options.logger?.error({ err, topic }, 'message handling failed unexpectedly; left unacknowledged'),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Retries with backoff while the stores are down; returns false if we are shutting down instead. */
  private async store(msg: ReceivedMessage): Promise<boolean> {
    const maxAttempts = this.options.maxAttempts ?? 10;
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handler(msg);
        return true;
      } catch (err) {
        if (this.closing) return false;
        if ((attempt >= maxAttempts || this.options.isPermanent?.(err as Error)) && this.options.onGiveUp) {
          try {
            await this.options.onGiveUp(msg, err as Error);
            return true;
          } catch (giveUpErr) {
            this.options.logger?.error({ err: giveUpErr, topic: msg.topic }, 'cannot even dead-letter the message; retrying');
          }
        }
        this.options.logger?.warn({ err, topic: msg.topic, attempt, retryInMs: delay }, 'storing a message failed; retrying (not acknowledged)');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(10_000, delay * 2);
      }
    }
  }
}
