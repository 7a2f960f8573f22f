import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, event } from './fixtures/world.js';
import { trendOf } from '../src/services/flood.js';

test('public flood view: no login, depth/level/trend per hotspot, and nothing else about cameras', async (t) => {
  const w = await World.start({ hotspotNames: { 'hue/kim-long-gauge': 'Kim Long' }, publicCacheMs: 60_000, rateLimits: { public: 5 } });
  t.after(() => w.close());
  const t0 = Date.now() - 50 * 60_000;
  const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
  const incident = '01JFLOODINCIDENT0000000001';
  for (const [i, cm] of [20, 26, 33].entries()) {
    await w.ingest(
      event('flood_level', {
        incident,
        phase: i === 0 ? 'start' : 'update',
        frame_at: at(i * 20),
        started_at: at(0),
        attributes: { water_level_cm: cm, level: cm > 30 ? 'warning' : 'watch', gauge_visible: true, gauge: 'staff' },
        evidence: [],
      } as never),
    );
  }
  // Other alert types and cameras exist too; none of them may show up.
  await w.ingest(event('red_light', { camera: 'secret-junction-cam' }));
  await w.ingest(event('forest_fire', { camera: 'bach-ma-ridge' }));
  await w.db.insertInto('gateways').values({ site: 'hue', gateway: 'gw-huong-tra-01', state: 'online', agent_version: '0.1.0', state_at: new Date(), health: JSON.stringify({ cameras: [{ camera: 'kim-long-gauge', fps: 1, state: 'ok', url: 'rtsp://admin:pw@10.0.0.5/stream' }] }), health_at: new Date() }).execute();

  const res = await w.app.inject({ url: '/api/v1/public/flood' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['cache-control']), /public, max-age=60/);
  const body = res.json();
  assert.equal(body.hotspots.length, 1);
  const h = body.hotspots[0];
  assert.equal(h.name, 'Kim Long');
  assert.equal(h.water_level_cm, 33);
  assert.equal(h.level, 'warning');
  assert.equal(h.trend, 'rising', '20 -> 33 cm in 40 min');
  assert.deepEqual(h.recent.map((p: [string, number]) => p[1]), [20, 26, 33]);
  assert.deepEqual(Object.keys(h).sort(), ['level', 'name', 'rate_cm_per_h', 'recent', 'trend', 'updated_at', 'water_level_cm']);

  const text = res.body;
  for (const secret of ['kim-long-gauge', 'gw-huong-tra-01', 'hue', 'rtsp', 'secret-junction-cam', 'red_light', 'forest_fire', 'bach-ma', incident, '10.0.0.5']) {
    assert.equal(text.includes(secret), false, `public view leaks "${secret}"`);
  }

  // Cached: a new reading is not seen until the cache period passes.
  await w.ingest(event('flood_level', { incident, phase: 'update', frame_at: at(45), started_at: at(0), attributes: { water_level_cm: 40, level: 'danger', gauge_visible: true }, evidence: [] } as never));
  assert.equal((await w.app.inject({ url: '/api/v1/public/flood' })).json().hotspots[0].water_level_cm, 33);

  const codes = [];
  for (let i = 0; i < 5; i++) codes.push((await w.app.inject({ url: '/api/v1/public/flood' })).statusCode);
  assert.equal(codes.at(-1), 429, 'rate limited per address');
});

test('trend: from the edge rate when sent, else the slope over the last hour', () => {
  const p = (min: number, cm: number | null, rate: number | null = null) => ({ at: new Date(min * 60_000), water_level_cm: cm, rate_cm_per_h: rate });
  assert.equal(trendOf([p(0, 30, -4)]), 'falling');
  assert.equal(trendOf([p(0, 30, 0.5)]), 'steady');
  assert.equal(trendOf([p(0, 30), p(30, 25)]), 'falling');
  assert.equal(trendOf([p(0, 30), p(30, 30.2)]), 'steady');
  assert.equal(trendOf([p(0, 30)]), 'unknown');
  assert.equal(trendOf([]), 'unknown');
});
