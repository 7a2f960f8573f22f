import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildDashboard, openDatabase, startServer } from '@vigil/alerts-api';

interface ApiOptions {
  port: string;
  host: string;
  postgres?: string;
  embedded?: boolean;
  data: string;
  evidence?: string;
  secret?: string;
  adminUser: string;
  adminPassword?: string;
  cors?: string;
  insecureCookies?: boolean;
  hotspots?: string;
  cameraLocations?: string;
}

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description('Run the alerts API and operator dashboard (fastify): REST + OpenAPI at /docs, live feed (SSE), webhooks, public flood view at /public.')
    .option('--port <port>', 'listen port', '8080')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--postgres <url>', 'PostgreSQL URL shared with ingest (env VIGIL_POSTGRES_URL)', process.env.VIGIL_POSTGRES_URL)
    .option('--embedded', 'use embedded PGlite in --data (single process: run ingest in the same process, e.g. vigil demo)')
    .option('--data <dir>', 'directory of the embedded database and evidence (as for vigil ingest)', 'data/ingest')
    .option('--evidence <dir>', "ingest's evidence store (default: <data>/evidence)")
    .option('--secret <secret>', 'signs evidence links (env VIGIL_API_SECRET; default: generated once into <data>/api-secret)', process.env.VIGIL_API_SECRET)
    .option('--admin-user <name>', 'admin created on first start when there are no users', 'admin')
    .option('--admin-password <password>', 'its password (env VIGIL_ADMIN_PASSWORD); required on first start', process.env.VIGIL_ADMIN_PASSWORD)
    .option('--cors <origins>', 'comma-separated origins allowed to call the API from a browser')
    .option('--insecure-cookies', 'session cookies without the Secure flag (only for plain http on a non-localhost LAN address)')
    .option('--hotspots <file>', 'JSON {"site/camera": "Public name"} for the public flood view')
    .option('--camera-locations <file>', 'JSON {"site/camera": [lat, lon]} for the dashboard map')
    .action(async (opts: ApiOptions) => {
      const data = resolve(opts.data);
      mkdirSync(data, { recursive: true });
      if (opts.postgres && opts.embedded) {
        console.error('vigil api: give either --postgres URL or --embedded, not both.');
        process.exitCode = 2;
        return;
      }
      const database = await openDatabase(opts.postgres ? { url: opts.postgres } : { embedded: true, dir: join(data, 'pglite') });
      const secret = opts.secret ?? loadOrCreateSecret(join(data, 'api-secret'));
      const server = await startServer({
        db: database.db,
        secret,
        port: Number(opts.port),
        host: opts.host,
        evidenceDir: opts.evidence ?? join(data, 'evidence'),
        corsOrigins: opts.cors ? opts.cors.split(',').map((s) => s.trim()) : undefined,
        secureCookies: !opts.insecureCookies,
        hotspotNames: opts.hotspots ? (JSON.parse(readFileSync(opts.hotspots, 'utf8')) as Record<string, string>) : undefined,
        cameraLocations: opts.cameraLocations ? (JSON.parse(readFileSync(opts.cameraLocations, 'utf8')) as Record<string, [number, number]>) : undefined,
        webDir: await buildDashboard(),
        onClose: () => database.close(),
      });
      if (opts.adminPassword) {
        if (await server.users.bootstrapAdmin(opts.adminUser, opts.adminPassword)) console.log(`created admin user "${opts.adminUser}"`);
      } else if (await server.users.list().then((u) => u.length === 0)) {
        console.error('vigil api: no users yet. Restart with --admin-password (or VIGIL_ADMIN_PASSWORD) to create the first admin.');
      }
      console.log(`vigil api listening on ${server.url} (${database.kind}); dashboard ${server.url}/, public flood view ${server.url}/public, OpenAPI ${server.url}/docs`);
    });
}

function loadOrCreateSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, secret + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

