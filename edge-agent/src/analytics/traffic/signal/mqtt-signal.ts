import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, systemClock, type Clock } from '@vigil/observe';
import { SignalTimeline, type PhaseChange, type SignalPhase, type SignalReading, type SignalStateSource } from './signal-state.js';

const log = createLogger('traffic-signal');
const PHASES: readonly SignalPhase[] = ['red', 'amber', 'green', 'unknown'];
// Controllers name amber differently.
const ALIASES: Record<string, SignalPhase> = { yellow: 'amber', off: 'unknown' };

export interface MqttSignalOptions {
  url: string;
  topic: string;
  username?: string;
  password?: string;
  clock?: Clock;
}

/**
 * The signal phase from the junction's controller over MQTT (analytics.traffic.signal_topic). Accepts
 * a bare phase (`red`) or JSON `{"phase": "red", "at": "2026-11-22T08:00:00Z"}`; without `at` the
 * change is dated on arrival. A message that is neither is logged and ignored (the phase in force
 * stays), and a late message older than the last change is ignored too.
 */
export class MqttSignalSource implements SignalStateSource {
  private readonly timeline = new SignalTimeline();
  private readonly clock: Clock;
  private constructor(
    private readonly client: MqttClient,
    private readonly topic: string,
    clock: Clock,
  ) {
    this.clock = clock;
  }

  static async connect(options: MqttSignalOptions): Promise<MqttSignalSource> {
    const client = await mqtt.connectAsync(options.url, {
      ...(options.username ? { username: options.username } : {}),
      ...(options.password ? { password: options.password } : {}),
      reconnectPeriod: 2000,
    });
    const source = new MqttSignalSource(client, options.topic, options.clock ?? systemClock);
    client.on('message', (topic, payload) => {
      if (topic === options.topic) source.receive(payload);
    });
    // Resubscribe on reconnects without a persistent session.
    client.on('connect', () => void client.subscribeAsync(options.topic, { qos: 1 }).catch((e: Error) => log.warn({ err: e, topic: options.topic }, 'signal topic resubscribe failed')));
    await client.subscribeAsync(options.topic, { qos: 1 });
    return source;
  }

  phaseAt(at: number): SignalReading {
    return this.timeline.phaseAt(at);
  }

  changes(): readonly PhaseChange[] {
    return this.timeline.changes();
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private receive(payload: Buffer): void {
    const parsed = parseSignalMessage(payload.toString('utf8'), this.clock.now());
    if ('problem' in parsed) {
      log.warn({ topic: this.topic, payload: payload.toString('utf8').slice(0, 200) }, `signal message ignored: ${parsed.problem}`);
      return;
    }
    const last = this.timeline.changes().at(-1);
    if (last && parsed.at < last.at) {
      log.warn({ topic: this.topic, at: parsed.at, last: last.at }, 'signal message older than the last change ignored');
      return;
    }
    this.timeline.record(parsed.at, parsed.phase);
  }
}

export function parseSignalMessage(text: string, now: number): { phase: SignalPhase; at: number } | { problem: string } {
  const fix = 'send "red", "amber", "green" or {"phase": "red", "at": "<ISO time>"}';
  const phaseOf = (s: unknown): SignalPhase | undefined => {
    if (typeof s !== 'string') return undefined;
    const p = s.trim().toLowerCase();
    return PHASES.includes(p as SignalPhase) ? (p as SignalPhase) : ALIASES[p];
  };
  const bare = phaseOf(text);
  if (bare) return { phase: bare, at: now };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { problem: `not a phase name nor JSON; ${fix}` };
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as { phase?: unknown; at?: unknown };
  const phase = phaseOf(typeof v === 'string' ? v : o.phase);
  if (!phase) return { problem: `no known phase; ${fix}` };
  if (o.at === undefined) return { phase, at: now };
  const at = typeof o.at === 'number' ? o.at : typeof o.at === 'string' ? Date.parse(o.at) : NaN;
  if (!Number.isFinite(at)) return { problem: `"at" is not a time; ${fix}` };
  return { phase, at };
}
