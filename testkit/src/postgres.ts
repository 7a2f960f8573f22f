import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ServiceProcess } from './process.js';
import { freePort, waitFor } from './ports.js';
import { servicesRequired } from './require.js';

/** Debian installs server binaries under /usr/lib/postgresql/<major>/bin, off PATH. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

export function postgresSkip(): false | string {
  if (process.env.VIGIL_TEST_PG_URL || postgresBinDir()) return false;
  if (servicesRequired) throw new Error('VIGIL_REQUIRE_SERVICES=1 but PostgreSQL is missing: apt-get install postgresql');
  return 'PostgreSQL is not installed (apt-get install postgresql) and VIGIL_TEST_PG_URL is not set; skipping.';
}

export interface PostgresHandle {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A throw-away PostgreSQL: its own cluster (initdb in a temp dir, on a free loopback port), or, when
 * VIGIL_TEST_PG_URL points at a server, a fresh database on it that is dropped afterwards.
 */
export async function startPostgres(): Promise<PostgresHandle> {
  const external = process.env.VIGIL_TEST_PG_URL;
  if (external) return freshDatabaseOn(external);
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql');
  // PostgreSQL refuses to run as root: when we are root, run it as the postgres user (its own PID).
  const asUser = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    stdio: 'pipe',
    ...(asUser ?? {}),
  });
  const port = await freePort();
  const proc = new ServiceProcess(
    'postgres',
    join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    asUser ?? {},
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitFor(`postgres on ${port}`, async () => {
    if (!proc.running) throw new Error(`postgres exited: ${proc.log}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }, 30_000);
  return { url, pid: proc.pid, stop: () => proc.stop() };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { uid, gid };
}

async function freshDatabaseOn(serverUrl: string): Promise<PostgresHandle> {
  const name = `vigil_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    pid: -1,
    async stop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
