import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { skipUnless } from '@vigil/testkit';

const run = promisify(execFile);
const deploy = join(dirname(fileURLToPath(import.meta.url)), '..');
const composeSkip = skipUnless('docker-compose', 'apt-get install docker-compose (only its config check is used; no engine needed)');

const secrets = { VIGIL_INGEST_MQTT_PASSWORD: 'a', VIGIL_POSTGRES_PASSWORD: 'b', VIGIL_API_SESSION_SECRET: 'c', VIGIL_POSTGRES_URL: 'postgres://x', VIGIL_INFLUX_URL: 'http://y' };

for (const file of ['compose/docker-compose.yml', 'emqx/docker-compose.cluster.yml']) {
  test(`${file} passes docker-compose config`, { skip: composeSkip }, async () => {
    const { stdout } = await run('docker-compose', ['-f', join(deploy, file), 'config'], { env: { ...process.env, ...secrets } });
    const resolved = parse(stdout) as { services: Record<string, { command?: string[] }> };
    assert.ok(resolved.services.ingest, 'an ingest service');
    assert.deepEqual(resolved.services.ingest.command?.slice(0, 3), ['ingest', '--group', 'ingest'], 'ingest workers share one subscription group');
  });
}

test('the central stack refuses to start without its secrets, and says which one', { skip: composeSkip }, async () => {
  const env = { ...process.env };
  for (const k of Object.keys(secrets)) delete env[k];
  await assert.rejects(run('docker-compose', ['-f', join(deploy, 'compose/docker-compose.yml'), 'config'], { env }), (err: { stderr: string }) =>
    /set VIGIL_\w+ in \.env/.test(err.stderr),
  );
});

test('the edge systemd unit runs `vigil edge` with restart back-off and a writable state dir only', () => {
  const unit = readFileSync(join(deploy, 'edge/vigil-edge.service'), 'utf8');
  assert.match(unit, /^ExecStart=.*bin\/vigil\.mjs edge --config \/etc\/vigil\/gateway\.yaml/m);
  assert.match(unit, /^Restart=always$/m);
  assert.match(unit, /^RestartSec=\d+$/m);
  assert.match(unit, /^ProtectSystem=strict$/m);
  assert.match(unit, /^ReadWritePaths=\/var\/lib\/vigil$/m);
});

test('the gateway install script is valid bash and checks the config before enabling the service', async () => {
  const script = join(deploy, 'edge/install-edge.sh');
  await run('bash', ['-n', script]);
  const text = readFileSync(script, 'utf8');
  assert.ok(text.indexOf('config check') < text.indexOf('systemctl enable'), 'config check must come first');
});

test('Prometheus scrapes ingest, api and gateways', () => {
  const cfg = parse(readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string }[] };
  assert.deepEqual(cfg.scrape_configs.map((s) => s.job_name).sort(), ['vigil-api', 'vigil-edge', 'vigil-ingest']);
});

test('the Grafana dashboard queries only measurements and fields that ingest writes', async () => {
  const { MEASUREMENTS } = await import('@vigil/ingest');
  const dash = JSON.parse(readFileSync(join(deploy, 'grafana/vigil-overview.json'), 'utf8')) as { panels: { targets: { query: string }[] }[] };
  const written = new Set<string>(Object.values(MEASUREMENTS));
  const queries = dash.panels.flatMap((p) => p.targets.map((t) => t.query));
  assert.ok(queries.length >= 5);
  for (const q of queries) {
    const m = /FROM "([^"]+)"/.exec(q)?.[1];
    assert.ok(m && written.has(m), `${q} reads "${m}", which ingest does not write (${[...written].join(', ')})`);
  }
});
