import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, event } from './fixtures/world.js';
import { SseClient } from './fixtures/sse.js';

test('live feed over a real socket: new alerts, operator changes, heartbeats, Last-Event-ID replay, scope', async (t) => {
  const w = await World.start({ sseHeartbeatMs: 100 });
  t.after(() => w.close());
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' });
  const op = await w.login('operator');
  const env = await w.login('environment_officer');

  const a = await SseClient.connect(`${base}/api/v1/feed`, { cookie: op });
  const officer = await SseClient.connect(`${base}/api/v1/feed`, { cookie: env });
  t.after(() => (a.close(), officer.close()));
  assert.equal(a.status, 200);
  const anon = await SseClient.connect(`${base}/api/v1/feed`, {});
  assert.equal(anon.status, 401);
  anon.close();

  const red = event('red_light');
  await w.ingest(red);
  const fire = event('forest_fire');
  await w.ingest(fire);
  await a.until('two firing alerts', (c) => c.events.filter((e) => e.event === 'alert.firing').length === 2);
  const firing = JSON.parse(a.events[0]!.data);
  assert.equal(firing.alert.type, 'red_light');
  assert.equal(firing.alert.status, 'firing');

  const redId = await w.alertIdOf(red);
  await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${redId}/acknowledge`, headers: { cookie: op }, payload: {} });
  await a.until('acknowledged', (c) => c.events.some((e) => e.event === 'alert.acknowledged'));
  const ack = JSON.parse(a.events.find((e) => e.event === 'alert.acknowledged')!.data);
  assert.equal(ack.by, 'user:operator');
  assert.equal(ack.alert.id, redId);
  await a.until('a heartbeat', (c) => c.comments.some((x) => x.startsWith('heartbeat')));

  await officer.until('the fire alert', (c) => c.events.length >= 1);
  assert.deepEqual(officer.events.map((e) => JSON.parse(e.data).alert.type), ['forest_fire'], 'the environment officer never sees traffic alerts');

  // Disconnect, miss two changes, reconnect with Last-Event-ID: exactly the missed ones, in order.
  const lastSeen = a.events[a.events.length - 1]!.id!;
  a.close();
  await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${redId}/notes`, headers: { cookie: op }, payload: { text: 'missed 1' } });
  await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${redId}/resolve`, headers: { cookie: op }, payload: {} });
  const b = await SseClient.connect(`${base}/api/v1/feed`, { cookie: op, 'last-event-id': lastSeen });
  t.after(() => b.close());
  await b.until('the two missed changes', (c) => c.events.length >= 2);
  assert.deepEqual(b.events.map((e) => e.event), ['alert.noted', 'alert.resolved']);
  assert.ok(Number(b.events[0]!.id) > Number(lastSeen));
  assert.ok(Number(b.events[1]!.id) > Number(b.events[0]!.id));

  const metrics = (await w.app.inject({ url: '/metrics' })).body;
  assert.match(metrics, /vigil_api_sse_clients(\{[^}]*\})? [1-9]/);
});

test('retention: old feed rows and expired sessions are pruned; recent ones stay', async (t) => {
  const w = await World.start();
  t.after(() => w.close());
  const op = await w.login('operator');
  const red = event('red_light');
  await w.ingest(red);
  await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${await w.alertIdOf(red)}/notes`, headers: { cookie: op }, payload: { text: 'x' } });
  // Wait for the relayed firing row as well as the note's.
  let before: { id: number }[] = [];
  for (let i = 0; i < 200 && before.length < 2; i++) {
    before = await w.db.selectFrom('api_feed').select('id').execute();
    if (before.length < 2) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(before.length, 2);
  assert.equal(await w.app.feed.prune(3600_000), 0, 'nothing is an hour old yet');
  assert.equal(await w.app.feed.prune(3600_000, Date.now() + 2 * 3600_000), before.length);
  assert.equal(await w.app.users.pruneSessions(), 0);
  assert.equal(await w.app.users.pruneSessions(new Date(Date.now() + 13 * 3600_000)), 1, 'the 12 h session has expired by then');
});

