import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from './process.js';
import { canConnect, freePort, waitFor } from './ports.js';
import { skipUnless, which } from './require.js';

export const mosquittoSkip = () => skipUnless('mosquitto', 'apt-get install mosquitto', ['/usr/sbin']);

export interface MosquittoOptions {
  /** Extra lines for mosquitto.conf (listeners, TLS, ACL). */
  extraConfig?: string[];
  /** username -> password; written with mosquitto_passwd. */
  users?: Record<string, string>;
  /** ACL file text (Mosquitto's acl_file format). */
  acl?: string;
  port?: number;
}

export interface MosquittoHandle {
  url: string;
  port: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Starts the broker again on the same port and config (its persistence file is kept). */
  restart(): Promise<void>;
}

/**
 * A real Mosquitto on a free loopback port. Its default max_queued_messages (1000) silently drops
 * messages to a slow subscriber, so every config we start sets it to 0 (unlimited).
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const binary = which('mosquitto', ['/usr/sbin']);
  if (!binary) throw new Error('mosquitto is not installed: apt-get install mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mosquitto-'));
  const port = options.port ?? (await freePort());
  const lines = [
    `listener ${port} 127.0.0.1`,
    'max_queued_messages 0',
    'max_inflight_messages 0',
    'persistence true',
    `persistence_location ${dir}/`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
  ];
  if (options.users) {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, Object.entries(options.users).map(([u, p]) => `${u}:${p}`).join('\n') + '\n', { mode: 0o600 });
    const tool = which('mosquitto_passwd', ['/usr/bin']);
    if (!tool) throw new Error('mosquitto_passwd is missing: apt-get install mosquitto');
    const { execFileSync } = await import('node:child_process');
    execFileSync(tool, ['-U', passwd]);
    lines.push('allow_anonymous false', `password_file ${passwd}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.acl) {
    const aclFile = join(dir, 'acl');
    writeFileSync(aclFile, options.acl);
    lines.push(`acl_file ${aclFile}`);
  }
  lines.push(...(options.extraConfig ?? []));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n') + '\n');

  let proc: ServiceProcess;
  const start = async () => {
    proc = new ServiceProcess('mosquitto', binary, ['-c', conf]);
    await waitFor(`mosquitto on ${port}`, async () => {
      if (!proc.running) throw new Error(`mosquitto exited: ${proc.log}`);
      return canConnect(port);
    });
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return proc.pid;
    },
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    restart: async () => {
      await proc.stop();
      await start();
    },
  };
}
