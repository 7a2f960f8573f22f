import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { topics, type VigilEvent } from '@vigil/contracts';

const root = new URL('../../../', import.meta.url).pathname;

/** A fresh database on a test server, so tests sharing one PostgreSQL do not see each other's rows. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name}`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function publisher(url: string, clientId = `pub-${process.pid}-${Math.random().toString(36).slice(2, 8)}`): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, clientId, clean: true, reconnectPeriod: 500 });
}

/** Publishes QoS 1 messages, keeping at most `window` unacknowledged (what an edge outbox does). */
export async function publishAll(client: MqttClient, messages: Array<{ topic: string; payload: string | Buffer }>, window = 200): Promise<void> {
  for (let i = 0; i < messages.length; i += window) {
    await Promise.all(messages.slice(i, i + window).map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
  }
}

export const eventMessage = (e: VigilEvent) => ({ topic: topics.camera(e.site, e.gateway, e.camera, 'event'), payload: JSON.stringify(e) });

/** `vigil ingest` as a separate process, so a test can kill -9 it like a crash. */
export class WorkerProcess {
  child!: ChildProcess;
  log = '';
  constructor(readonly args: string[]) {}

  static dataDir(): string {
    return mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [join(root, 'bin/vigil.mjs'), 'ingest', '--metrics-port', '0', ...this.args], {
      cwd: root,
      env: { ...process.env, VIGIL_LOG_LEVEL: 'info', VIGIL_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (c: Buffer) => (this.log = (this.log + c.toString()).slice(-50_000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${this.log}`)), 60_000);
      const check = () => {
        if (this.log.includes('ingest worker ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.child.stdout!.on('data', check);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code} before it was ready:\n${this.log}`));
      });
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}

export async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
