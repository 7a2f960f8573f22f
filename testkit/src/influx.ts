import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from './process.js';
import { freePort, waitFor } from './ports.js';
import { skipUnless, which } from './require.js';

export const influxSkip = () => skipUnless('influxd', 'apt-get install influxdb');

export interface InfluxHandle {
  /** Base URL of the v1 HTTP API (/ping, /write, /query). */
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
  query(q: string, db?: string): Promise<unknown>;
}

/** A real InfluxDB 1.x (Debian's influxd) with its data in a temp dir, on free loopback ports. */
export async function startInflux(): Promise<InfluxHandle> {
  const binary = which('influxd');
  if (!binary) throw new Error('influxd is not installed: apt-get install influxdb');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-influx-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const conf = join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  let proc: ServiceProcess;
  const start = async () => {
    proc = new ServiceProcess('influxd', binary, ['run', '-config', conf]);
    await waitFor(`influxd on ${port}`, async () => {
      if (!proc.running) throw new Error(`influxd exited: ${proc.log}`);
      try {
        return (await fetch(`${url}/ping`)).status === 204;
      } catch {
        return false;
      }
    }, 30_000);
  };
  await start();
  return {
    url,
    port,
    get pid() {
      return proc.pid;
    },
    stop: () => proc.stop(),
    restart: async () => {
      await proc.stop();
      await start();
    },
    async query(q: string, db?: string) {
      const params = new URLSearchParams({ q, ...(db ? { db } : {}) });
      const res = await fetch(`${url}/query?${params}`, { method: 'POST' });
      if (!res.ok) throw new Error(`influx query failed ${res.status}: ${await res.text()}`);
      return res.json();
    },
  };
}
