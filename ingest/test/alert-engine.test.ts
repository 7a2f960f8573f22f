import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleFloodEvent, exampleRedLightEvent, type VigilEvent } from '@vigil/contracts';
import { ManualClock } from '@vigil/observe';
import { AlertEngine, KyselyStore, openDatabase, type NotificationRow, type VigilStore } from '../src/index.js';

const MIN = 60_000;

async function setup(options: ConstructorParameters<typeof AlertEngine>[1] = {}) {
  const db = await openDatabase({ embedded: true });
  const store = new KyselyStore(db.db);
  const clock = new ManualClock(Date.parse('2026-11-22T03:00:00Z'));
  const engine = new AlertEngine(store, { clock, repeatIntervalMs: 10 * MIN, ...options });
  const sent: NotificationRow[] = [];
  engine.onNotification((n) => sent.push(n));
  // What the pipeline does per new event: apply inside a transaction, publish after commit.
  const feed = async (e: VigilEvent) => engine.publish(await store.transaction((tx) => engine.applyEvent(tx, e)));
  const status = async (site: string, gateway: string, state: 'online' | 'offline') =>
    engine.publish(await store.transaction((tx) => engine.applyGatewayStatus(tx, { v: 1, site, gateway, state, at: new Date(clock.now()).toISOString(), agent_version: '0.1.0' })));
  return { store, clock, engine, sent, feed, status, close: () => db.close() };
}

const fire = (over: Partial<VigilEvent> = {}) =>
  exampleFloodEvent({ type: 'forest_fire', camera: 'bach-ma-ridge', attributes: { frames_confirmed: 4, frames_window: 5 }, ...over } as Partial<VigilEvent>);

test('start, updates and end of one incident make one alert, auto-resolved at the end', async () => {
  const s = await setup();
  try {
    const start = fire({ phase: 'start', seq: 1 });
    await s.feed(start);
    await s.feed(fire({ incident: start.incident, phase: 'update', seq: 2, score: 0.97 }));
    const [firing] = await s.store.listAlerts();
    assert.equal(firing?.status, 'firing');
    assert.equal(firing?.agency, 'environment');
    assert.equal(firing?.event_count, 2);
    assert.equal(firing?.score, 0.97);
    await s.feed(fire({ incident: start.incident, phase: 'end', seq: 3, ended_at: '2026-11-22T03:20:00.000Z' }));
    const alerts = await s.store.listAlerts();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.status, 'resolved');
    assert.equal(alerts[0]?.resolved_by, 'auto');
    assert.deepEqual(s.sent.map((n) => n.kind), ['firing', 'resolved']);
    // a second incident on the same camera is a second alert
    await s.feed(fire({ seq: 4 }));
    assert.equal((await s.store.listAlerts()).length, 2);
  } finally {
    await s.close();
  }
});

test('routing by type: environment, traffic police, IOC', async () => {
  const s = await setup();
  try {
    await s.feed(fire());
    await s.feed(exampleRedLightEvent());
    await s.feed(exampleFloodEvent());
    await s.feed(exampleFloodEvent({ type: 'camera_offline', attributes: { reason: 'timeout' } } as Partial<VigilEvent>));
    const byType = Object.fromEntries((await s.store.listAlerts()).map((a) => [a.type, a.agency]));
    assert.deepEqual(byType, { forest_fire: 'environment', red_light: 'traffic_police', flood_level: 'ioc', camera_offline: 'ioc' });
    assert.deepEqual(s.sent.map((n) => n.agency).sort(), ['environment', 'ioc', 'ioc', 'traffic_police']);
  } finally {
    await s.close();
  }
});

test('a held alert stays open when its incident ends; releasing it resolves it', async () => {
  const s = await setup();
  try {
    const start = fire();
    await s.feed(start);
    const [a] = await s.store.listAlerts();
    await s.engine.acknowledge(a!.id, 'operator-lan');
    await s.engine.hold(a!.id, 'operator-lan');
    await s.feed(fire({ incident: start.incident, phase: 'end' }));
    const held = await s.store.getAlert(a!.id);
    assert.equal(held?.status, 'acknowledged');
    assert.ok(held?.incident_ended_at);
    await s.engine.hold(a!.id, 'operator-lan', false);
    assert.equal((await s.store.getAlert(a!.id))?.status, 'resolved');
    const actions = (await s.store.listAudit(a!.id)).map((r) => `${r.actor}:${r.action}`);
    assert.deepEqual(actions, ['ingest:alert.fired', 'operator-lan:alert.acknowledged', 'operator-lan:alert.held', 'ingest:alert.resolved', 'operator-lan:alert.released']);
  } finally {
    await s.close();
  }
});

test('camera_offline inhibits that camera\'s analytics alerts (not other cameras\'); they notify once it resolves', async () => {
  const s = await setup();
  try {
    const offline = exampleRedLightEvent({ type: 'camera_offline', attributes: { reason: 'timeout' } } as Partial<VigilEvent>);
    await s.feed(offline);
    await s.feed(exampleRedLightEvent());
    await s.feed(exampleRedLightEvent({ camera: 'other-cam' }));
    const alerts = await s.store.listAlerts();
    const offAlert = alerts.find((a) => a.type === 'camera_offline')!;
    const same = alerts.find((a) => a.type === 'red_light' && a.camera === offline.camera)!;
    const other = alerts.find((a) => a.camera === 'other-cam')!;
    assert.equal(same.inhibited_by, offAlert.id);
    assert.equal(other.inhibited_by, null);
    assert.deepEqual(s.sent.map((n) => n.alert_id), [offAlert.id, other.id]);
    // inhibited alerts are not repeated or escalated either
    s.clock.advance(2 * 60 * MIN);
    await s.engine.tick();
    assert.equal(s.sent.filter((n) => n.alert_id === same.id).length, 0);
    await s.feed(exampleRedLightEvent({ type: 'camera_offline', incident: offline.incident, phase: 'end', attributes: { reason: 'timeout' } } as Partial<VigilEvent>));
    assert.equal((await s.store.getAlert(same.id))?.inhibited_by, null);
    assert.deepEqual(s.sent.filter((n) => n.alert_id === same.id).map((n) => n.kind), ['firing']);
  } finally {
    await s.close();
  }
});

test('gateway offline (status topic) inhibits its cameras; online resolves the gateway alert', async () => {
  const s = await setup();
  try {
    await s.status('hue', 'gw-huong-tra-01', 'offline');
    await s.status('hue', 'gw-huong-tra-01', 'offline'); // retained message redelivered: still one alert
    await s.feed(fire());
    await s.feed(fire({ gateway: 'gw-other' }));
    const alerts = await s.store.listAlerts();
    const gw = alerts.filter((a) => a.type === 'gateway_offline');
    assert.equal(gw.length, 1);
    assert.equal(gw[0]?.agency, 'ioc');
    assert.equal(alerts.find((a) => a.type === 'forest_fire' && a.gateway === 'gw-huong-tra-01')?.inhibited_by, gw[0]?.id);
    assert.equal(alerts.find((a) => a.gateway === 'gw-other')?.inhibited_by, null);
    await s.status('hue', 'gw-huong-tra-01', 'online');
    assert.equal((await s.store.getAlert(gw[0]!.id))?.status, 'resolved');
    assert.equal((await s.store.listAlerts({ status: 'firing' })).filter((a) => a.inhibited_by).length, 0);
  } finally {
    await s.close();
  }
});

test('silences: matching alerts fire silently until the silence expires, then notify', async () => {
  const s = await setup();
  try {
    const until = new Date(s.clock.now() + 30 * MIN);
    const sil = await s.engine.silence({ camera: 'bach-ma-ridge', type: 'forest_fire', owner: 'ranger-hai', comment: 'controlled burn', startsAt: new Date(s.clock.now()), endsAt: until }, 'ranger-hai');
    await s.feed(fire());
    await s.feed(fire({ camera: 'other-ridge' }));
    const silenced = (await s.store.listAlerts()).find((a) => a.camera === 'bach-ma-ridge')!;
    assert.equal(silenced.silenced_by, sil.id);
    assert.equal(s.sent.length, 1, 'only the other camera notifies');
    s.clock.advance(20 * MIN);
    await s.engine.tick();
    assert.equal(s.sent.filter((n) => n.alert_id === silenced.id).length, 0);
    s.clock.advance(11 * MIN);
    await s.engine.tick();
    assert.deepEqual(s.sent.filter((n) => n.alert_id === silenced.id).map((n) => n.kind), ['firing']);
    assert.equal((await s.store.getAlert(silenced.id))?.silenced_by, null);
    assert.ok((await s.store.listAudit()).some((r) => r.actor === 'ranger-hai' && r.action === 'silence.created'));
  } finally {
    await s.close();
  }
});

test('a silence created after an alert fired stops its repeats; expiring it early resumes them', async () => {
  const s = await setup();
  try {
    await s.feed(fire());
    const sil = await s.engine.silence({ type: 'forest_fire', owner: 'ioc-duty', comment: 'known', startsAt: new Date(s.clock.now()), endsAt: new Date(s.clock.now() + 24 * 60 * MIN) }, 'ioc-duty');
    s.clock.advance(MIN);
    await s.engine.tick();
    s.clock.advance(15 * MIN);
    await s.engine.tick();
    assert.deepEqual(s.sent.map((n) => n.kind), ['firing']);
    await s.engine.expireSilence(sil.id, 'ioc-duty');
    await s.engine.tick();
    assert.deepEqual(s.sent.map((n) => n.kind), ['firing', 'firing']);
  } finally {
    await s.close();
  }
});

test('unacknowledged alerts repeat and escalate per type deadline; acknowledging stops both', async () => {
  const s = await setup({ repeatIntervalMs: 10 * MIN, ackDeadlineMs: { forest_fire: 25 * MIN, red_light: 60 * MIN } });
  try {
    await s.feed(fire());
    await s.feed(exampleRedLightEvent());
    const kinds = () => s.sent.map((n) => `${n.agency}:${n.kind}:${n.escalation_level}`);
    for (let i = 0; i < 6; i++) {
      s.clock.advance(5 * MIN);
      await s.engine.tick();
    }
    // 30 minutes: fire repeated at 10 and 20, escalated at 25 (deadline); red light repeated at 10, 20, 30
    assert.deepEqual(kinds(), [
      'environment:firing:0',
      'traffic_police:firing:0',
      'environment:repeat:0',
      'traffic_police:repeat:0',
      'environment:repeat:0',
      'traffic_police:repeat:0',
      'environment:escalation:1',
      'traffic_police:repeat:0',
    ]);
    const fireAlert = (await s.store.listAlerts({ agency: 'environment' }))[0]!;
    assert.equal(fireAlert.escalation_level, 1);
    await s.engine.acknowledge(fireAlert.id, 'officer-minh');
    const before = s.sent.length;
    s.clock.advance(60 * MIN);
    await s.engine.tick();
    assert.equal(s.sent.slice(before).filter((n) => n.alert_id === fireAlert.id).length, 0);
  } finally {
    await s.close();
  }
});

test('a "normal" flood reading does not raise an alert; operators can resolve; unknown alert id is an error', async () => {
  const s = await setup();
  try {
    await s.feed(exampleFloodEvent({ attributes: { water_level_cm: 2, level: 'normal', gauge_visible: true } } as Partial<VigilEvent>));
    assert.equal((await s.store.listAlerts()).length, 0);
    await s.feed(exampleFloodEvent());
    const [a] = await s.store.listAlerts();
    const resolved = await s.engine.resolve(a!.id, 'operator-lan');
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.resolved_by, 'operator-lan');
    await assert.rejects(s.engine.acknowledge(9999, 'x'), /alert 9999 does not exist/);
  } finally {
    await s.close();
  }
});

test('start() runs the repeat scan on the clock', async () => {
  const s = await setup({ tickMs: MIN, repeatIntervalMs: 2 * MIN });
  try {
    await s.feed(exampleFloodEvent());
    s.engine.start();
    s.clock.advance(MIN);
    s.clock.advance(MIN);
    await waitUntil(() => s.sent.some((n) => n.kind === 'repeat'));
    s.engine.stop();
  } finally {
    await s.close();
  }
});

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type { VigilStore };
