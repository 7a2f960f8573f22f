import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, event } from './fixtures/world.js';

test('health, readiness, metrics, OpenAPI docs, security headers, CORS, stable errors', async (t) => {
  const w = await World.start({ corsOrigins: ['https://ioc.hue.gov.vn'] });
  t.after(() => w.close());
  assert.deepEqual((await w.app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  assert.deepEqual((await w.app.inject({ url: '/readyz' })).json(), { status: 'ready' });
  const metrics = await w.app.inject({ url: '/metrics' });
  assert.match(metrics.body, /vigil_api_request_seconds_bucket/);

  const spec = (await w.app.inject({ url: '/docs/json' })).json();
  assert.equal(spec.openapi.startsWith('3.'), true);
  assert.ok(spec.paths['/api/v1/alerts'].get.parameters.some((p: { name: string }) => p.name === 'cursor'));
  assert.ok(spec.paths['/api/v1/alerts/{id}/verdict'].post.requestBody);
  assert.equal((await w.app.inject({ url: '/docs/' })).statusCode, 200);

  const res = await w.app.inject({ url: '/healthz', headers: { origin: 'https://ioc.hue.gov.vn' } });
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
  assert.ok(res.headers['strict-transport-security']);
  assert.equal(res.headers['access-control-allow-origin'], 'https://ioc.hue.gov.vn');
  const other = await w.app.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
  assert.equal(other.headers['access-control-allow-origin'], undefined);

  const missing = await w.app.inject({ url: '/api/v1/nope' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'VIGIL_ERR_NOT_FOUND');
  const op = await w.login('operator');
  const invalid = await w.app.inject({ url: '/api/v1/alerts?limit=5000', headers: { cookie: op } });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().code, 'VIGIL_ERR_VALIDATION');
  assert.match(invalid.json().message, /limit/);
});

test('silences, cameras with health, gateways, water-level series', async (t) => {
  const w = await World.start();
  t.after(() => w.close());
  const op = await w.login('operator');
  const ends = new Date(Date.now() + 3600_000).toISOString();
  const none = await w.app.inject({ method: 'POST', url: '/api/v1/silences', headers: { cookie: op }, payload: { comment: 'all', ends_at: ends } });
  assert.equal(none.statusCode, 400, 'a silence without matchers is refused');
  const s = await w.app.inject({ method: 'POST', url: '/api/v1/silences', headers: { cookie: op }, payload: { camera: 'le-loi-hung-vuong', type: 'red_light', comment: 'signal maintenance', ends_at: ends } });
  assert.equal(s.statusCode, 201);
  assert.equal(s.json().owner, 'user:operator');
  // Ingest's engine applies it: a red light on that camera is silenced.
  await w.ingest(event('red_light'));
  const alerts = (await w.app.inject({ url: '/api/v1/alerts', headers: { cookie: op } })).json().items;
  assert.equal(alerts[0].silenced, true);
  assert.equal((await w.app.inject({ url: '/api/v1/silences', headers: { cookie: op } })).json().length, 1);
  assert.equal((await w.app.inject({ method: 'DELETE', url: `/api/v1/silences/${s.json().id}`, headers: { cookie: op } })).statusCode, 200);
  assert.equal((await w.app.inject({ url: '/api/v1/silences', headers: { cookie: op } })).json().length, 0);
  const audit = await w.db.selectFrom('audit_log').select('action').where('actor', '=', 'user:operator').where('action', 'like', 'silence.%').execute();
  assert.deepEqual(audit.map((a) => a.action), ['silence.created', 'silence.expired']);

  await w.db
    .insertInto('gateways')
    .values({
      site: 'hue',
      gateway: 'gw-huong-tra-01',
      state: 'online',
      agent_version: '0.1.0',
      state_at: new Date(),
      health: JSON.stringify({ cameras: [{ camera: 'kim-long-gauge', fps: 1, state: 'ok' }, { camera: 'dead-cam', fps: 0, state: 'offline' }] }),
      health_at: new Date(),
    })
    .execute();
  const flood = event('flood_level');
  await w.ingest(flood);
  const cams = (await w.app.inject({ url: '/api/v1/cameras', headers: { cookie: op } })).json();
  const byName = Object.fromEntries(cams.map((c: { camera: string }) => [c.camera, c]));
  assert.equal(byName['kim-long-gauge'].state, 'firing');
  assert.equal(byName['kim-long-gauge'].health, 'ok');
  assert.equal(byName['dead-cam'].state, 'offline');
  assert.equal(byName['le-loi-hung-vuong'].state, 'firing');
  const gws = (await w.app.inject({ url: '/api/v1/gateways', headers: { cookie: op } })).json();
  assert.equal(gws[0].state, 'online');
  const series = (await w.app.inject({ url: `/api/v1/series/water-level?site=hue&camera=kim-long-gauge`, headers: { cookie: op } })).json();
  assert.deepEqual(series.map((p: { water_level_cm: number }) => p.water_level_cm), [32.5]);
});
