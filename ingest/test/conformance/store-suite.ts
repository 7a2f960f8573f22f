import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleFloodEvent, exampleRedLightEvent, type GatewayStatus } from '@vigil/contracts';
import type { VigilStore } from '../../src/index.js';

export interface StoreFixture {
  store: VigilStore;
  close(): Promise<void>;
}

/**
 * One suite for every VigilStore (MQTT.js's abstract store tests): the embedded PGlite and a real
 * PostgreSQL must behave the same, because the demo and production run the same SQL.
 */
export function storeConformance(name: string, make: () => Promise<StoreFixture>, options: { skip?: string | false } = {}): void {
  const t = (title: string, fn: (s: VigilStore) => Promise<void>) =>
    test(`${name}: ${title}`, { skip: options.skip ?? false }, async () => {
      const f = await make();
      try {
        await fn(f.store);
      } finally {
        await f.close();
      }
    });
  const at = new Date('2026-11-22T03:15:01.000Z');

  t('an event is stored once; the same id again is a duplicate', async (s) => {
    const e = exampleFloodEvent();
    assert.deepEqual(await s.insertEvent(e, at), { inserted: true });
    assert.deepEqual(await s.insertEvent(e, at), { inserted: false });
    assert.equal(await s.countEvents(), 1);
    const row = await s.getEvent(e.id);
    assert.equal(row?.seq, e.seq);
    assert.equal(row?.type, 'flood_level');
    assert.deepEqual(row?.body, e);
    assert.equal(new Date(row!.frame_at).toISOString(), e.frame_at);
  });

  t('sequence gaps are recorded and late arrivals fill them', async (s) => {
    assert.deepEqual(await s.recordSequence('hue', 'gw1', 10, at), { missing: [], filledGap: false });
    assert.deepEqual(await s.recordSequence('hue', 'gw1', 11, at), { missing: [], filledGap: false });
    assert.deepEqual(await s.recordSequence('hue', 'gw1', 15, at), { missing: [12, 13, 14], filledGap: false });
    assert.deepEqual((await s.openGaps('hue', 'gw1')).map((g) => g.seq), [12, 13, 14]);
    assert.deepEqual(await s.recordSequence('hue', 'gw1', 13, at), { missing: [], filledGap: true });
    assert.deepEqual((await s.openGaps('hue', 'gw1')).map((g) => g.seq), [12, 14]);
    // another gateway has its own sequence
    assert.deepEqual(await s.recordSequence('hue', 'gw2', 1, at), { missing: [], filledGap: false });
    assert.deepEqual((await s.openGaps()).length, 2);
  });

  t('a gap is not recorded for a sequence number already stored by another worker', async (s) => {
    await s.recordSequence('hue', 'gw-a', 1, at);
    await s.insertEvent(exampleFloodEvent({ gateway: 'gw-a', seq: 2 }), at);
    assert.deepEqual((await s.recordSequence('hue', 'gw-a', 3, at)).missing, []);
  });

  t('dead letters keep topic, reason, bytes and time', async (s) => {
    const payload = Buffer.from([0xff, 0x00, 0x7b]);
    await s.insertDeadLetter({ topic: 'vigil/v1/hue/gw1/cam/event', reason: '(message) is not valid JSON', payload, receivedAt: at });
    const [d] = await s.listDeadLetters();
    assert.equal(d?.topic, 'vigil/v1/hue/gw1/cam/event');
    assert.equal(d?.reason, '(message) is not valid JSON');
    assert.deepEqual(Buffer.from(d!.payload), payload);
    assert.equal(d?.payload_bytes, 3);
    assert.equal(await s.countDeadLetters(), 1);
  });

  t('gateway status and health are kept per gateway', async (s) => {
    const status: GatewayStatus = { v: 1, site: 'hue', gateway: 'gw1', state: 'offline', at: at.toISOString(), agent_version: '0.1.0' };
    await s.setGatewayStatus(status, at);
    await s.setGatewayStatus({ ...status, state: 'online' }, at);
    assert.equal((await s.getGateway('hue', 'gw1'))?.state, 'online');
    assert.equal(await s.getGateway('hue', 'nope'), undefined);
  });

  t('evidence refs, chunks reassembled in order, marked stored', async (s) => {
    const e = exampleFloodEvent();
    await s.insertEvent(e, at);
    await s.insertEvidenceRefs(e);
    await s.insertEvidenceRefs(e);
    const sha = e.evidence[0]!.sha256;
    const chunk = (index: number, data: string) => ({ sha256: sha, index, count: 3, contentType: 'image/jpeg', bytes: 9, data: Buffer.from(data), receivedAt: at });
    assert.equal(await s.putEvidenceChunk(chunk(2, 'ghi')), null);
    assert.equal(await s.putEvidenceChunk(chunk(0, 'abc')), null);
    assert.equal(await s.putEvidenceChunk(chunk(0, 'abc')), null, 'a repeated chunk is not counted twice');
    const parts = await s.putEvidenceChunk(chunk(1, 'def'));
    assert.equal(Buffer.concat(parts!).toString(), 'abcdefghi');
    await s.markEvidenceStored(sha, at);
  });

  t('alerts: one per group key; counted events; filters; open-alert lookup', async (s) => {
    const base = {
      site: 'hue', gateway: 'gw1', camera: 'cam1', type: 'red_light', incident: 'I1', agency: 'traffic_police' as const, status: 'firing' as const,
      held: false, score: 0.5, first_event_id: 'E1', last_event_id: 'E1', event_count: 1, fired_at: at, last_event_at: at, incident_ended_at: null,
      acknowledged_at: null, acknowledged_by: null, resolved_at: null, resolved_by: null, inhibited_by: null, silenced_by: null, last_notified_at: null,
      notify_count: 0, escalation_level: 0, summary: JSON.stringify({ a: 1 }),
    };
    const a = await s.insertAlert({ ...base, group_key: 'k1' });
    assert.equal(a.created, true);
    const again = await s.insertAlert({ ...base, group_key: 'k1' });
    assert.equal(again.created, false);
    assert.equal(again.alert.id, a.alert.id);
    const counted = await s.recordAlertEvent(a.alert.id, 'E2', 0.9, at);
    assert.equal(counted.event_count, 2);
    assert.equal(counted.score, 0.9);
    assert.equal(counted.last_event_id, 'E2');
    assert.deepEqual(counted.summary, { a: 1 });
    assert.equal((await s.findOpenAlert('hue', 'gw1', 'cam1', 'red_light'))?.id, a.alert.id);
    await s.updateAlert(a.alert.id, { status: 'resolved' });
    assert.equal(await s.findOpenAlert('hue', 'gw1', 'cam1', 'red_light'), undefined);
    await s.insertAlert({ ...base, group_key: 'k2', camera: null, type: 'gateway_offline', agency: 'ioc' });
    assert.equal((await s.listAlerts({ status: 'firing' })).length, 1);
    assert.equal((await s.listAlerts({ status: ['firing', 'resolved'] })).length, 2);
    assert.equal((await s.listAlerts({ agency: 'traffic_police' })).length, 1);
    const gw = await s.findOpenAlert('hue', 'gw1', null, 'gateway_offline');
    assert.ok(gw);
    assert.equal((await s.findInhibitor('hue', 'gw1', 'cam1'))?.id, gw.id);
    assert.equal(await s.findInhibitor('hue', 'gw2', 'cam1'), undefined);
    const cam = await s.insertAlert({ ...base, group_key: 'k3', type: 'camera_offline', agency: 'ioc' });
    assert.equal((await s.findInhibitor('hue', 'gw1', 'cam1'))?.id, cam.alert.id, 'the camera is the more specific cause');
    assert.equal((await s.findInhibitor('hue', 'gw1', null))?.id, gw.id);
  });

  t('silences are active between start and end; expiring ends them', async (s) => {
    const sil = await s.insertSilence({ camera: 'cam1', owner: 'lan', comment: 'maintenance', startsAt: at, endsAt: new Date(at.getTime() + 3600_000) }, at);
    assert.equal((await s.activeSilences(new Date(at.getTime() + 60_000))).length, 1);
    assert.equal((await s.activeSilences(new Date(at.getTime() + 3600_000))).length, 0);
    await s.expireSilence(sil.id, new Date(at.getTime() + 60_000));
    assert.equal((await s.activeSilences(new Date(at.getTime() + 120_000))).length, 0);
  });

  t('transactions roll back on error', async (s) => {
    const e = exampleRedLightEvent();
    await assert.rejects(
      s.transaction(async (tx) => {
        await tx.insertEvent(e, at);
        await tx.audit({ at, actor: 'test', action: 'x' });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await s.getEvent(e.id), undefined);
    assert.equal((await s.listAudit()).length, 0);
  });
}
