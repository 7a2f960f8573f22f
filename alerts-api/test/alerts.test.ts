import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { World, event } from './fixtures/world.js';

test('alerts: list with filters and cursor pagination, detail with evidence, actions with audit trail', async (t) => {
  const w = await World.start();
  t.after(() => w.close());
  const op = await w.login('operator');

  const snapshot = Buffer.from('fake-jpeg-bytes-for-the-evidence-link');
  const sha = createHash('sha256').update(snapshot).digest('hex');
  const flood = event('flood_level', { evidence: [{ kind: 'snapshot', sha256: sha, content_type: 'image/jpeg', bytes: snapshot.length, at: new Date().toISOString() }] });
  await w.ingest(flood);
  // The file follows the event over MQTT, as with a real gateway.
  await w.putEvidence(snapshot);
  for (let i = 0; i < 4; i++) await w.ingest(event('red_light', { camera: `cam-${i}` }));
  const floodId = await w.alertIdOf(flood);

  const all = await w.app.inject({ url: '/api/v1/alerts?limit=2', headers: { cookie: op } });
  assert.equal(all.statusCode, 200);
  const page1 = all.json();
  assert.equal(page1.items.length, 2);
  assert.ok(page1.next_cursor);
  const page2 = (await w.app.inject({ url: `/api/v1/alerts?limit=2&cursor=${page1.next_cursor}`, headers: { cookie: op } })).json();
  const page3 = (await w.app.inject({ url: `/api/v1/alerts?limit=2&cursor=${page2.next_cursor}`, headers: { cookie: op } })).json();
  const ids = [...page1.items, ...page2.items, ...page3.items].map((a: { id: number }) => a.id);
  assert.equal(new Set(ids).size, 5, 'pages cover every alert once');
  assert.equal(page3.next_cursor, null);

  const byType = (await w.app.inject({ url: '/api/v1/alerts?type=flood_level&state=firing', headers: { cookie: op } })).json();
  assert.deepEqual(byType.items.map((a: { id: number }) => a.id), [floodId]);
  assert.match(byType.items[0].snapshot_url, new RegExp(`^/api/v1/evidence/${sha}\\?exp=\\d+&sig=`), 'list rows carry a signed thumbnail link');
  const byCamera = (await w.app.inject({ url: '/api/v1/alerts?camera=cam-2', headers: { cookie: op } })).json();
  assert.equal(byCamera.items.length, 1);
  const future = (await w.app.inject({ url: `/api/v1/alerts?from=${new Date(Date.now() + 3600_000).toISOString()}`, headers: { cookie: op } })).json();
  assert.equal(future.items.length, 0);
  const badCursor = await w.app.inject({ url: '/api/v1/alerts?cursor=garbage', headers: { cookie: op } });
  assert.equal(badCursor.statusCode, 400);
  assert.equal(badCursor.json().code, 'VIGIL_ERR_CURSOR');

  const detail = (await w.app.inject({ url: `/api/v1/alerts/${floodId}`, headers: { cookie: op } })).json();
  assert.equal(detail.alert.type, 'flood_level');
  assert.equal(detail.evidence[0].sha256, sha);
  assert.equal(detail.events[0].attributes.water_level_cm, 32.5);
  const img = await w.app.inject({ url: detail.evidence[0].url });
  assert.equal(img.statusCode, 200, 'signed link works without a session');
  assert.deepEqual(img.rawPayload, snapshot);
  assert.equal(img.headers['content-type'], 'image/jpeg');
  const tampered = await w.app.inject({ url: detail.evidence[0].url.replace(/sig=(.)/, (_: string, c: string) => `sig=${c === '0' ? '1' : '0'}`) });
  assert.equal(tampered.statusCode, 403);
  assert.equal(tampered.json().code, 'VIGIL_ERR_EVIDENCE_LINK');
  const expired = await w.app.inject({ url: detail.evidence[0].url.replace(/exp=\d+/, 'exp=1000') });
  assert.equal(expired.statusCode, 403);

  const ack = await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${floodId}/acknowledge`, headers: { cookie: op }, payload: {} });
  assert.equal(ack.statusCode, 200);
  assert.equal(ack.json().status, 'acknowledged');
  assert.equal(ack.json().acknowledged_by, 'user:operator');
  const again = await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${floodId}/acknowledge`, headers: { cookie: op }, payload: {} });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().code, 'VIGIL_ERR_ALERT_STATE');
  assert.match(again.json().message, /already acknowledged by user:operator/);

  assert.equal((await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${floodId}/assign`, headers: { cookie: op }, payload: { assignee: 'team-hue-north' } })).json().assignee, 'team-hue-north');
  assert.equal((await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${floodId}/notes`, headers: { cookie: op }, payload: { text: 'Road closed by police' } })).statusCode, 200);
  const noDup = await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${floodId}/verdict`, headers: { cookie: op }, payload: { verdict: 'duplicate' } });
  assert.equal(noDup.statusCode, 400);
  assert.equal((await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${floodId}/verdict`, headers: { cookie: op }, payload: { verdict: 'true_alarm' } })).json().verdict, 'true_alarm');
  const resolved = await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${floodId}/resolve`, headers: { cookie: op }, payload: { comment: 'water receded' } });
  assert.equal(resolved.json().status, 'resolved');

  const after = (await w.app.inject({ url: `/api/v1/alerts/${floodId}`, headers: { cookie: op } })).json();
  const byOperator = after.audit.filter((a: { actor: string }) => a.actor === 'user:operator');
  assert.deepEqual(
    byOperator.map((a: { action: string }) => a.action),
    ['alert.acknowledged', 'alert.assigned', 'alert.noted', 'alert.verdict', 'alert.resolved'],
  );
  assert.equal(after.audit[0].action, 'alert.fired', "ingest's own entry comes first");
  assert.ok(after.audit.every((a: { at: string }) => !Number.isNaN(Date.parse(a.at))));
  assert.equal(after.notes[0].text, 'Road closed by police');
  assert.equal(after.verdict.verdict, 'true_alarm');

  const exported = (await w.app.inject({ url: '/api/v1/export/verdicts', headers: { cookie: op } })).json();
  assert.equal(exported.records.length, 1);
  assert.equal(exported.records[0].label, 'true_alarm');
  assert.equal(exported.records[0].evidence[0].sha256, sha);
  assert.equal(exported.records[0].attributes.level, 'warning');
  const jsonl = await w.app.inject({ url: '/api/v1/export/verdicts?format=jsonl', headers: { cookie: op } });
  assert.equal(jsonl.body.trim().split('\n').length, 1);

  const missing = await w.app.inject({ url: '/api/v1/alerts/99999', headers: { cookie: op } });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'VIGIL_ERR_NOT_FOUND');
});

test('agency scoping: officers see and act only on their agency types', async (t) => {
  const w = await World.start();
  t.after(() => w.close());
  const fire = event('forest_fire');
  const red = event('red_light');
  const flood = event('flood_level');
  for (const e of [fire, red, flood]) await w.ingest(e);
  const env = await w.login('environment_officer');
  const traffic = await w.login('traffic_officer');
  const types = async (cookie: string) => (await w.app.inject({ url: '/api/v1/alerts', headers: { cookie } })).json().items.map((a: { type: string }) => a.type);
  assert.deepEqual(await types(env), ['forest_fire']);
  assert.deepEqual(await types(traffic), ['red_light']);
  assert.equal((await types(await w.login('viewer'))).length, 3);
  const redId = await w.alertIdOf(red);
  assert.equal((await w.app.inject({ url: `/api/v1/alerts/${redId}`, headers: { cookie: env } })).statusCode, 404);
  const act = await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${redId}/acknowledge`, headers: { cookie: env }, payload: {} });
  assert.equal(act.statusCode, 404, 'an officer cannot act on another agency’s alert');
  assert.equal((await w.app.inject({ method: 'POST', url: `/api/v1/alerts/${redId}/acknowledge`, headers: { cookie: traffic }, payload: {} })).statusCode, 200);
  const counts = (await w.app.inject({ url: '/api/v1/series/counts', headers: { cookie: env } })).json();
  assert.deepEqual([...new Set(counts.map((c: { type: string }) => c.type))], ['forest_fire']);
  const level = await w.app.inject({ url: `/api/v1/series/water-level?site=hue&camera=${flood.camera}`, headers: { cookie: traffic } });
  assert.equal(level.statusCode, 403);
});
