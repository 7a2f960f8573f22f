import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresSkip, startPostgres } from '@vigil/testkit';
import { World, event } from './fixtures/world.js';

// The same SQL runs on embedded PGlite (every other test) and on a real PostgreSQL server (here).
test('real PostgreSQL: migrations beside ingest, list, act, audit, feed relay', { skip: postgresSkip() }, async (t) => {
  const pg = await startPostgres();
  const w = await World.start({}, { url: pg.url });
  t.after(async () => {
    await w.close();
    await pg.stop();
  });
  const op = await w.login('operator');
  const red = event('red_light');
  await w.ingest(red);
  const id = await w.alertIdOf(red);
  const list = (await w.app.inject({ url: '/api/v1/alerts?state=firing', headers: { cookie: op } })).json();
  assert.deepEqual(list.items.map((a: { id: number }) => a.id), [id]);
  assert.equal((await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/acknowledge`, headers: { cookie: op }, payload: { hold: true } })).json().held, true);
  const tables = await w.db.selectFrom('vigil_api_migrations' as never).select('name' as never).execute();
  assert.equal(tables.length, 5);
  const end = Date.now() + 5000;
  while ((await w.db.selectFrom('api_feed').select('kind').execute()).length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const kinds = (await w.db.selectFrom('api_feed').select('kind').orderBy('id').execute()).map((r) => r.kind);
  assert.deepEqual(kinds.sort(), ['alert.acknowledged', 'alert.firing']);
});
