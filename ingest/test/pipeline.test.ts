import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exampleFloodEvent, exampleRedLightEvent, exampleTelemetry, topics, type VigilEvent } from '@vigil/contracts';
import { ManualClock } from '@vigil/observe';
import { EvidenceStore, IngestPipeline, KyselyStore, MEASUREMENTS, SqliteTimeSeriesWriter, isDataError, openDatabase } from '../src/index.js';

async function setup() {
  const db = await openDatabase({ embedded: true });
  const timeseries = new SqliteTimeSeriesWriter(':memory:');
  const evidence = new EvidenceStore(mkdtempSync(join(tmpdir(), 'vigil-evidence-')));
  const clock = new ManualClock(Date.parse('2026-11-22T04:00:00Z'));
  const pipeline = new IngestPipeline({ store: new KyselyStore(db.db), timeseries, evidence, clock, maxMessageBytes: 4096 });
  const send = (topic: string, payload: string | Buffer, userProperties?: Record<string, string>) => pipeline.handle({ topic, payload: Buffer.from(payload), userProperties });
  const sendEvent = (e: VigilEvent) => send(topics.camera(e.site, e.gateway, e.camera, 'event'), JSON.stringify(e));
  return { clock, pipeline, store: pipeline.store, timeseries, evidence, send, sendEvent, close: async () => (await timeseries.close(), await db.close()) };
}

test('embedded pipeline: an event is stored once, alerts once, and its flood level goes to the time series', async () => {
  const s = await setup();
  try {
    const e = exampleFloodEvent();
    await s.sendEvent(e);
    await s.sendEvent(e);
    assert.equal(await s.store.countEvents(), 1);
    assert.equal((await s.store.listAlerts()).length, 1);
    assert.equal((await s.store.listAlerts())[0]?.event_count, 1);
    assert.equal((await s.pipeline.metrics.duplicates.get()).values[0]?.value, 1);
    const t = Date.parse(e.frame_at);
    const [p] = await s.timeseries.query(MEASUREMENTS.floodLevel, { from: t, to: t + 1 });
    assert.equal(p?.fields.water_level_cm, 32.5);
    assert.equal(p?.tags.camera, e.camera);
  } finally {
    await s.close();
  }
});

test('embedded pipeline: a sequence gap is recorded, counted and filled by the late event', async () => {
  const s = await setup();
  try {
    const ev = (seq: number) => exampleRedLightEvent({ seq, id: `01JD${String(seq).padStart(22, '0')}`, incident: `01JE${String(seq).padStart(22, '0')}` });
    await s.sendEvent(ev(1));
    await s.sendEvent(ev(4));
    assert.deepEqual((await s.store.openGaps()).map((g) => g.seq), [2, 3]);
    const missing = await s.pipeline.registry.getSingleMetricAsString('vigil_ingest_sequence_missing_total');
    assert.match(missing, /gateway="gw-huong-tra-01"[^\n]*} 2/);
    // fresh gaps are not yet a health problem: reordered deliveries fill most of them
    assert.match(await s.pipeline.registry.getSingleMetricAsString('vigil_ingest_sequence_gaps_open'), /} 0/);
    s.clock.advance(61_000);
    assert.match(await s.pipeline.registry.getSingleMetricAsString('vigil_ingest_sequence_gaps_open'), /} 2/);
    assert.equal(await s.pipeline.reportGaps(), 2);
    await s.sendEvent(ev(3));
    assert.deepEqual((await s.store.openGaps()).map((g) => g.seq), [2]);
  } finally {
    await s.close();
  }
});

test('embedded pipeline: bad input of every kind is dead-lettered with a readable reason', async () => {
  const s = await setup();
  try {
    const t = topics.camera('hue', 'gw-huong-tra-01', 'cam-1', 'event');
    await s.send(t, Buffer.from([0xff, 0x00, 0x7b]));
    await s.send(t, JSON.stringify({ ...exampleRedLightEvent({ camera: 'cam-1' }), attributes: { vehicle_class: 'tank' } }));
    await s.send(t, 'x'.repeat(5000));
    await s.send('vigil/v1/hue/gw-huong-tra-01/status', '{"v":1}');
    await s.send('vigil/v1/hue/gw-huong-tra-01/config', '{}');
    const letters = (await s.store.listDeadLetters()).reverse();
    assert.equal(letters.length, 5);
    assert.match(letters[0]!.reason, /not valid JSON/);
    assert.doesNotMatch(letters[0]!.reason, /\u0000/);
    assert.deepEqual(Buffer.from(letters[0]!.payload), Buffer.from([0xff, 0x00, 0x7b]));
    assert.match(letters[1]!.reason, /\/attributes\/vehicle_class must be one of/);
    assert.match(letters[2]!.reason, /5000 bytes, over the 4096-byte limit/);
    assert.match(letters[3]!.reason, /\/state is required/);
    assert.match(letters[4]!.reason, /ingest does not consume it/);
    assert.equal(await s.store.countEvents(), 0);
  } finally {
    await s.close();
  }
});

test('embedded pipeline: telemetry becomes points; gateway status and health are kept', async () => {
  const s = await setup();
  try {
    const tm = exampleTelemetry({ counts: [{ line: 'north', class: 'motorbike', count: 12 }] });
    await s.send(topics.camera(tm.site, tm.gateway, tm.camera, 'telemetry'), JSON.stringify(tm));
    const t = Date.parse(tm.at);
    const [p] = await s.timeseries.query(MEASUREMENTS.telemetry, { from: t, to: t + 1 });
    assert.deepEqual({ fps: p?.fields.fps, frames_dropped: p?.fields.frames_dropped, level: p?.fields.level }, { fps: 1, frames_dropped: 0, level: 'warning' });
    const [c] = await s.timeseries.query(MEASUREMENTS.lineCounts, { from: t, to: t + 1 });
    assert.deepEqual(c?.tags, { camera: tm.camera, class: 'motorbike', gateway: tm.gateway, line: 'north', site: tm.site });
    await s.send(topics.gateway('hue', 'gw-huong-tra-01', 'status'), JSON.stringify({ v: 1, site: 'hue', gateway: 'gw-huong-tra-01', state: 'offline', at: tm.at, agent_version: '0.1.0' }));
    assert.equal((await s.store.getGateway('hue', 'gw-huong-tra-01'))?.state, 'offline');
    assert.equal((await s.store.listAlerts())[0]?.type, 'gateway_offline');
  } finally {
    await s.close();
  }
});

test('embedded pipeline: evidence chunks are joined, checked against sha256 and stored by content address', async () => {
  const s = await setup();
  try {
    const file = Buffer.from('JPEG'.repeat(1000));
    const sha = createHash('sha256').update(file).digest('hex');
    const e = exampleFloodEvent({ evidence: [{ kind: 'snapshot', sha256: sha, content_type: 'image/jpeg', bytes: file.length }] });
    await s.sendEvent(e);
    const topic = topics.camera(e.site, e.gateway, e.camera, 'evidence');
    const props = (index: number) => ({ sha256: sha, content_type: 'image/jpeg', bytes: String(file.length), index: String(index), count: '2' });
    await s.send(topic, file.subarray(2000), props(1));
    assert.equal(await s.evidence.has(sha), false);
    await s.send(topic, file.subarray(0, 2000), props(0));
    assert.deepEqual(await s.evidence.read(sha), file);
    assert.ok(s.evidence.pathOf(sha).endsWith(`${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`));
    // corrupted in transit: the joined bytes do not hash to the announced sha256
    const other = 'b'.repeat(64);
    await s.send(topic, Buffer.from('not it'), { sha256: other, content_type: 'image/jpeg', bytes: '6', index: '0', count: '1' });
    assert.equal(await s.evidence.has(other), false);
    assert.match((await s.store.listDeadLetters(1))[0]!.reason, /hash to .* not b{64}/);
    // a chunk header missing from the user properties
    await s.send(topic, Buffer.from('x'), { sha256: sha });
    assert.match((await s.store.listDeadLetters(1))[0]!.reason, /evidence chunk user properties: \/content_type is required/);
    // retention removes old files
    assert.deepEqual(await s.evidence.prune(1000, Date.now() + 10_000), [sha]);
    assert.equal(await s.evidence.has(sha), false);
  } finally {
    await s.close();
  }
});

test('data errors (SQLSTATE 22/23) are permanent; connection errors are not', () => {
  assert.equal(isDataError(Object.assign(new Error('invalid byte sequence'), { code: '22021' })), true);
  assert.equal(isDataError(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' })), false);
  assert.equal(isDataError(new Error('x')), false);
});
