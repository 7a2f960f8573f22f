/**
 * Alerts API benchmark.
 *
 * 1. Alert list latency at fixed request rates (open loop: each request is timed from when it was due,
 *    so a slow server cannot hide its queue). Baselines in the same run: /healthz (fastify + auth-free
 *    path, no database) and the same list query called directly (no HTTP).
 * 2. SSE fan-out: N live-feed clients on real sockets; an operator acknowledges an alert; time from the
 *    POST being sent until each client has the event.
 *
 * Embedded PGlite (the demo default) and, when PostgreSQL is installed, a real server.
 * Writes bench/results/api.json and the bench:api section of docs/benchmarks.md.
 */
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { postgresSkip, startPostgres } from '@vigil/testkit';
import { buildServer, openDatabase, type DatabaseTarget } from '../../alerts-api/src/index.js';
import { writeBenchSection } from '../report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const quick = process.argv.includes('--quick');
const RATES = quick ? [100, 300] : [100, 300, 1000];
// PGlite runs every query on one WASM connection (~20-50 list queries/s here): past that it only queues.
const PGLITE_RATES = quick ? [25] : [25, 50];
const SECONDS = quick ? 2 : 5;
const FANOUT = quick ? [100] : [100, 1000];
const ALERTS = 5000;

interface LatencyRow {
  target: string;
  rate: number;
  sent: number;
  ok: number;
  p50: number;
  p99: number;
  max: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
}
const round = (x: number) => Math.round(x * 100) / 100;

/** Fires requests at a fixed rate for SECONDS; latency counted from each request's due time. */
async function fixedRate(target: string, rate: number, call: () => Promise<number>): Promise<LatencyRow> {
  const n = rate * SECONDS;
  const start = performance.now();
  const lat: number[] = [];
  let ok = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      call().then((status) => {
        lat.push(performance.now() - due);
        if (status === 200) ok++;
      }),
    );
  }
  await Promise.all(inflight);
  lat.sort((a, b) => a - b);
  return { target, rate, sent: n, ok, p50: pct(lat, 50), p99: pct(lat, 99), max: round(lat[lat.length - 1] ?? NaN) };
}

async function runOn(label: string, target: DatabaseTarget, rates: number[]) {
  const opened = await openDatabase(target);
  const app = await buildServer({ db: opened.db, secret: 'bench-secret-0123456789abcdef', rateLimits: { api: 10_000_000, login: 1000 }, feedPollMs: 250, sseHeartbeatMs: 15_000 });
  await app.ready();
  // Seed: ALERTS alerts over 10 cameras and 4 types, as ingest writes them.
  const now = Date.now();
  const types = ['flood_level', 'red_light', 'forest_fire', 'speeding'];
  for (let i = 0; i < ALERTS; i += 500) {
    await opened.db
      .insertInto('alerts')
      .values(
        Array.from({ length: 500 }, (_, k) => {
          const j = i + k;
          const type = types[j % 4]!;
          const t = new Date(now - (ALERTS - j) * 60_000);
          return {
            group_key: `hue/gw-1/cam-${j % 10}/${type}/inc-${j}`,
            site: 'hue',
            gateway: 'gw-1',
            camera: `cam-${j % 10}`,
            type,
            incident: `inc-${j}`,
            agency: 'ioc' as const,
            status: (j % 3 === 0 ? 'firing' : j % 3 === 1 ? 'acknowledged' : 'resolved') as 'firing',
            held: false,
            score: 0.9,
            first_event_id: `ev-${j}`,
            last_event_id: `ev-${j}`,
            event_count: 1,
            fired_at: t,
            last_event_at: t,
            incident_ended_at: null,
            acknowledged_at: null,
            acknowledged_by: null,
            resolved_at: null,
            resolved_by: null,
            inhibited_by: null,
            silenced_by: null,
            last_notified_at: null,
            notify_count: 0,
            escalation_level: 0,
            summary: '{}',
          };
        }),
      )
      .execute();
  }
  // PGlite has no autovacuum: without fresh statistics the planner ignores the newest-first index.
  await sql`analyze`.execute(opened.db);
  await app.users.create({ username: 'bench-op', password: 'bench-password-1', role: 'operator' }, 'bench');
  const token = (await app.users.createToken({ name: 'bench', role: 'operator' }, 'bench')).token;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const auth = { authorization: `Bearer ${token}` };
  const listUrl = `${base}/api/v1/alerts?state=firing,acknowledged&limit=50`;
  const scope = { types: null, sites: null };

  const latency: LatencyRow[] = [];
  for (let i = 0; i < 50; i++) await get(listUrl, auth); // warm-up
  for (const rate of rates) {
    latency.push(await fixedRate('GET /api/v1/alerts (limit 50)', rate, () => get(listUrl, auth)));
    latency.push(await fixedRate('GET /healthz (no database)', rate, () => get(`${base}/healthz`, {})));
    latency.push(await fixedRate('list query, no HTTP', rate, () => app.alerts.list(scope, { limit: 50, state: ['firing', 'acknowledged'] }).then(() => 200)));
    console.error(`[${label}] ${rate} req/s done`);
  }

  // SSE fan-out.
  const fanout = [];
  const firing = await opened.db.selectFrom('alerts').select('id').where('status', '=', 'firing').orderBy('id').limit(10).execute();
  let k = 0;
  for (const n of FANOUT) {
    const sockets: http.ClientRequest[] = [];
    const got: number[] = [];
    let sentAt = 0;
    let expectId = 0;
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve, reject) => {
            const req = http.get(`${base}/api/v1/feed`, { headers: { ...auth, accept: 'text/event-stream' } }, (res) => {
              res.setEncoding('utf8');
              let buf = '';
              res.on('data', (c: string) => {
                buf += c;
                if (expectId && buf.includes(`"id":${expectId},`) && buf.includes('alert.acknowledged')) {
                  got.push(performance.now() - sentAt);
                  buf = '';
                } else if (buf.length > 1 << 16) buf = '';
              });
              resolve();
            });
            req.on('error', reject);
            sockets.push(req);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    const alertId = firing[k++]!.id;
    expectId = alertId;
    sentAt = performance.now();
    await new Promise<void>((resolve) => {
      const req = http.request(`${base}/api/v1/alerts/${alertId}/acknowledge`, { method: 'POST', agent, headers: { ...auth, 'content-type': 'application/json' } }, (res) => (res.resume(), res.on('end', resolve)));
      req.end('{}');
    });
    const deadline = Date.now() + 30_000;
    while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    got.sort((a, b) => a - b);
    fanout.push({ clients: n, received: got.length, p50: pct(got, 50), p99: pct(got, 99), max: round(got[got.length - 1] ?? NaN) });
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 300));
    console.error(`[${label}] fan-out to ${n} done`);
  }
  await app.close();
  await opened.close();
  return { label, latency, fanout };
}

function table(results: Awaited<ReturnType<typeof runOn>>[]): string {
  const lines = [
    '## Alerts API (`bench/api/run.ts`)',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), other work running alongside; client and server in one process. ${ALERTS} alerts in the table; list = firing + acknowledged, newest first, 50 per page, bearer API token (one token lookup per request). Open loop for ${SECONDS} s per rate; latency in ms from each request's due time.`,
    '',
    '| database | target | rate req/s | ok / sent | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) for (const l of r.latency) lines.push(`| ${r.label} | ${l.target} | ${l.rate} | ${l.ok} / ${l.sent} | ${l.p50} | ${l.p99} | ${l.max} |`);
  for (const r of results) {
    const list = r.latency.filter((l) => l.target.startsWith('GET /api/v1/alerts'));
    const held = list.filter((l) => l.p99 < 1000 && l.ok === l.sent).map((l) => l.rate);
    const failed = list.filter((l) => !held.includes(l.rate)).map((l) => l.rate);
    lines.push('', `${r.label}: the alert list kept p99 under 1 s at ${held.length ? held.join(', ') : 'none of the tested rates'} req/s${failed.length ? `; it fell behind at ${failed.join(', ')} req/s (goal: 1,000 req/s)` : ''}.`);
  }
  lines.push('', 'SSE fan-out: N clients on real sockets, one operator acknowledgement; ms from sending the POST until each client has the event.', '', '| database | clients | received | p50 ms | p99 ms | max ms |', '|---|---|---|---|---|---|');
  for (const r of results) for (const f of r.fanout) lines.push(`| ${r.label} | ${f.clients} | ${f.received} | ${f.p50} | ${f.p99} | ${f.max} |`);
  lines.push(
    '',
    'When the list p99 at a rate is far above the no-HTTP query at the same rate, the difference is queueing in the single Node process (HTTP, auth lookup, serialization). PGlite serialises every query on one connection, so its list rate saturates well below real PostgreSQL; use `--postgres` in production.',
  );
  return lines.join('\n');
}

const writeSection = (body: string): void => writeBenchSection('api', body);

const results = [await runOn('PGlite', { embedded: true }, PGLITE_RATES)];
if (postgresSkip() === false) {
  const pg = await startPostgres();
  try {
    results.push(await runOn('PostgreSQL', { url: pg.url }, RATES));
  } finally {
    await pg.stop();
  }
}
mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench', 'results', 'api.json'), JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, alerts: ALERTS, seconds_per_rate: SECONDS, results }, null, 2) + '\n');
writeSection(table(results));
console.log(table(results));
process.exit(0);
