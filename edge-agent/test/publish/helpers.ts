import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { decodeMessage, type VigilEvent } from '@vigil/contracts';

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  userProperties?: Record<string, string | string[]>;
}

/** A subscriber that keeps everything it receives, the way ingest would see it. */
export class Recorder {
  readonly messages: Received[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload, retain: packet.retain, userProperties: packet.properties?.userProperties });
      this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
    });
  }

  static async connect(url: string, filter: string, options: IClientOptions = {}): Promise<Recorder> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 500, ...options });
    const r = new Recorder(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return r;
  }

  on(topicSuffix: string): Received[] {
    return this.messages.filter((m) => m.topic.endsWith(topicSuffix));
  }

  events(): VigilEvent[] {
    return this.on('/event').map((m) => {
      const d = decodeMessage('event', m.payload);
      if (!d.ok) throw new Error(`received an event that breaks the contract: ${JSON.stringify(d.issues)}`);
      return d.value;
    });
  }

  /** Resolves when pred() holds: checked on every message and every 50 ms (for state outside the recorder). */
  until(what: string, pred: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      };
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(() => pred() && done(), 50);
      this.waiters.push({ pred, resolve: done });
    });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** Distinct events per camera in arrival order (QoS 1 may deliver a message twice; ingest de-duplicates on id). */
export function firstArrivals(events: VigilEvent[]): { byCamera: Map<string, VigilEvent[]>; duplicates: number } {
  const seen = new Set<string>();
  const byCamera = new Map<string, VigilEvent[]>();
  let duplicates = 0;
  for (const e of events) {
    if (seen.has(e.id)) {
      duplicates++;
      continue;
    }
    seen.add(e.id);
    byCamera.set(e.camera, [...(byCamera.get(e.camera) ?? []), e]);
  }
  return { byCamera, duplicates };
}

export interface AgentProcess {
  child: ChildProcess;
  lines: string[];
  waitLines(pred: (lines: string[]) => boolean, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Runs test/publish/fixtures/burst-agent.ts as a separate process (so it can be kill -9ed). */
export function startAgent(url: string, dir: string, mode: 'burst' | 'drain'): AgentProcess {
  const script = fileURLToPath(new URL('./fixtures/burst-agent.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_LOG_LEVEL: 'error' } });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  let waiters: { pred: (l: string[]) => boolean; resolve: () => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    waiters = waiters.filter((w) => (w.pred(lines) ? (w.resolve(), false) : true));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitLines(pred, timeoutMs = 30_000) {
      if (pred(lines)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`agent did not get there in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        void exited.then((code) => reject(new Error(`agent exited (${code}) early; stderr: ${stderr}`)));
        waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}
