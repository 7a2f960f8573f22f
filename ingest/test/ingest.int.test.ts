import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exampleFloodEvent, exampleRedLightEvent, exampleTelemetry, topics, type VigilEvent } from '@vigil/contracts';
import { freePort, influxSkip, mosquittoSkip, postgresSkip, startInflux, startMosquitto, startPostgres, type InfluxHandle, type MosquittoHandle, type PostgresHandle } from '@vigil/testkit';
import { monotonicFactory } from 'ulid';
import {
  InfluxTimeSeriesWriter,
  IngestWorker,
  KyselyStore,
  MEASUREMENTS,
  openDatabase,
  type OpenDatabase,
} from '../src/index.js';
import { WorkerProcess, eventMessage, freshDatabase, publishAll, publisher, waitFor } from './helpers/services.js';

const skip = mosquittoSkip() || postgresSkip() || influxSkip();
let broker: MosquittoHandle;
let postgres: PostgresHandle;
let influx: InfluxHandle;
const ulid = monotonicFactory();

before(async () => {
  if (skip) return;
  [broker, postgres, influx] = await Promise.all([startMosquitto(), startPostgres(), startInflux()]);
});
after(async () => {
  await Promise.all([broker?.stop(), postgres?.stop(), influx?.stop()]);
});

/** Incidents of three events each (start, update, end), with gateway sequence numbers 1..3n. */
function incidents(n: number, gateway = 'gw-load'): VigilEvent[] {
  const out: VigilEvent[] = [];
  let seq = 0;
  for (let i = 0; i < n; i++) {
    const incident = ulid();
    const camera = `cam-${i % 7}`;
    for (const phase of ['start', 'update', 'end'] as const) {
      out.push(exampleRedLightEvent({ id: ulid(), incident, phase, seq: ++seq, gateway, camera, ...(phase === 'end' ? { ended_at: '2026-11-22T08:01:20.000Z' } : {}) }));
    }
  }
  return out;
}

test('two workers on a shared subscription, one killed under load: 0 lost, 0 duplicate alerts', { skip }, async () => {
  const url = await freshDatabase(postgres.url, 'kill_test');
  const common = ['--mqtt', broker.url, '--postgres', url, '--influx', influx.url, '--influx-db', 'kill_test', '--group', 'killtest', '--connections', '2'];
  const a = new WorkerProcess([...common, '--client-id', 'ingest-a', '--data', WorkerProcess.dataDir()]);
  const bData = WorkerProcess.dataDir();
  const bMetrics = await freePort();
  const b = new WorkerProcess([...common, '--client-id', 'ingest-b', '--data', bData, '--metrics-port', String(bMetrics)]);
  const storedByB = async () => {
    const text = await (await fetch(`http://127.0.0.1:${bMetrics}/metrics`)).text();
    return Number(/vigil_ingest_messages_total\{kind="event"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  await Promise.all([a.start(), b.start()]);
  const db = await openDatabase({ url });
  const pub = await publisher(broker.url);
  try {
    const events = incidents(1000);
    const messages = events.map(eventMessage);
    const third = Math.floor(messages.length / 3);
    await publishAll(pub, messages.slice(0, third));
    await waitFor('worker b to take its share', async () => (await storedByB()) > 100);
    const publishing = publishAll(pub, messages.slice(third));
    await new Promise((r) => setTimeout(r, 300));
    const beforeKill = await storedByB();
    await b.kill('SIGKILL');
    await publishing;
    // The same slot comes back (systemd Restart=always) and the broker hands it what it never acknowledged.
    await new Promise((r) => setTimeout(r, 1000));
    const b2 = new WorkerProcess(b.args);
    await b2.start();
    try {
      const store = new KyselyStore(db.db);
      await waitFor(`${events.length} events stored`, async () => (await store.countEvents()) === events.length, 180_000);
      const ids = await db.db.selectFrom('events').select('id').execute();
      assert.equal(new Set(ids.map((r) => r.id)).size, events.length, 'no event lost');
      assert.ok(beforeKill > 100 && beforeKill < events.length, `worker b stored ${beforeKill} events before it was killed`);
      const alerts = await store.listAlerts({ limit: 100_000 });
      assert.equal(alerts.length, 1000, 'one alert per incident, none duplicated');
      assert.deepEqual([...new Set(alerts.map((x) => x.event_count))], [3], 'each event counted once into its alert');
      assert.deepEqual([...new Set(alerts.map((x) => x.status))], ['resolved']);
      // Both workers stored events (the load was really shared), and the sequence has no holes left.
      assert.deepEqual(await store.openGaps('hue', 'gw-load'), []);
      const notifications = await store.listNotifications();
      assert.equal(notifications.filter((n) => n.kind === 'firing').length, 1000, 'one firing notification per alert');
    } finally {
      await b2.kill('SIGTERM');
    }
  } finally {
    await pub.endAsync();
    await a.kill('SIGTERM');
    await b.kill();
    await db.close();
  }
});

async function inProcessWorker(dbName: string, opts: { influxDb?: string; maxMessageBytes?: number; clientId: string }) {
  const database: OpenDatabase = await openDatabase({ url: await freshDatabase(postgres.url, dbName) });
  const timeseries = new InfluxTimeSeriesWriter({ url: influx.url, database: opts.influxDb ?? dbName, bufferPath: join(WorkerProcess.dataDir(), 'buffer.sqlite'), lingerMs: 50 });
  const worker = new IngestWorker({
    store: new KyselyStore(database.db),
    timeseries,
    maxMessageBytes: opts.maxMessageBytes,
    mqtt: { url: broker.url, clientId: opts.clientId, group: opts.clientId, connections: 4 },
  });
  await worker.start();
  return {
    worker,
    store: worker.pipeline.store,
    timeseries,
    async close() {
      await worker.close();
      await timeseries.close();
      await database.close();
    },
  };
}

test('InfluxDB down for a while: telemetry and flood levels are buffered on disk and all backfilled', { skip }, async () => {
  const outageS = Number(process.env.VIGIL_OUTAGE_S ?? 15);
  const w = await inProcessWorker('outage_test', { clientId: 'ingest-outage' });
  const pub = await publisher(broker.url);
  try {
    const t0 = Date.parse('2026-11-22T00:00:00Z');
    let n = 0;
    const telemetry = (count: number) =>
      Array.from({ length: count }, () => {
        const at = new Date(t0 + n++ * 1000).toISOString();
        return { topic: topics.camera('hue', 'gw-huong-tra-01', 'kim-long-gauge', 'telemetry'), payload: JSON.stringify(exampleTelemetry({ at, water_level_cm: n })) };
      });
    await publishAll(pub, telemetry(200));
    await influx.stop();
    // Publish through the outage, a little at a time, like gateways do.
    const outageEnd = Date.now() + outageS * 1000;
    let floodEvents = 0;
    while (Date.now() < outageEnd) {
      await publishAll(pub, telemetry(50));
      await publishAll(pub, [eventMessage(exampleFloodEvent({ id: ulid(), incident: ulid(), seq: ++floodEvents, frame_at: new Date(t0 + floodEvents * 1000).toISOString() }))]);
      await new Promise((r) => setTimeout(r, 500));
    }
    await waitFor('telemetry to be buffered while InfluxDB is down', async () => w.timeseries.pending() > 0, 30_000);
    // Postgres keeps working: events are stored (and acknowledged) during the outage.
    await waitFor('flood events in Postgres during the outage', async () => (await w.store.countEvents()) === floodEvents, 30_000);
    await influx.restart();
    await publishAll(pub, telemetry(100));
    await waitFor('buffer drained', async () => w.timeseries.pending() === 0, 120_000);
    const points = await w.timeseries.query(MEASUREMENTS.telemetry, { from: t0, to: t0 + n * 1000 });
    assert.equal(points.length, n, `all ${n} telemetry points in InfluxDB`);
    assert.deepEqual(points.map((p) => p.fields.water_level_cm), Array.from({ length: n }, (_, i) => i + 1));
    const levels = await w.timeseries.query(MEASUREMENTS.floodLevel, { from: t0, to: t0 + (floodEvents + 1) * 1000 });
    assert.equal(levels.length, floodEvents, 'every flood level point backfilled');
  } finally {
    await pub.endAsync();
    await w.close();
  }
});

test('10,000 malformed or oversized messages are dead-lettered; the worker keeps ingesting good ones', { skip }, async () => {
  const w = await inProcessWorker('dead_letter_test', { clientId: 'ingest-dlq', maxMessageBytes: 8 * 1024 });
  const pub = await publisher(broker.url);
  try {
    const cam = (channel: 'event' | 'telemetry') => topics.camera('hue', 'gw-dlq', 'cam-1', channel);
    const kinds = [
      () => ({ topic: cam('event'), payload: '{"v":1,"id":' }),
      () => ({ topic: cam('event'), payload: JSON.stringify({ ...exampleRedLightEvent({ gateway: 'gw-dlq', camera: 'cam-1' }), score: 7 }) }),
      () => ({ topic: cam('telemetry'), payload: JSON.stringify({ ...exampleTelemetry({ gateway: 'gw-dlq', camera: 'cam-1' }), v: 2 }) }),
      () => ({ topic: cam('event'), payload: Buffer.alloc(9 * 1024, 0x61) }),
      () => ({ topic: 'vigil/v1/Bad Site/gw-dlq/cam-1/event', payload: JSON.stringify(exampleRedLightEvent()) }),
      () => ({ topic: cam('event'), payload: JSON.stringify(exampleRedLightEvent({ gateway: 'someone-else', camera: 'cam-1' })) }),
      () => ({ topic: cam('event'), payload: Buffer.from([0xff, 0xfe, 0x00]) }),
    ];
    const messages: Array<{ topic: string; payload: string | Buffer }> = [];
    let good = 0;
    for (let i = 0; i < 10_000; i++) {
      messages.push(kinds[i % kinds.length]!());
      if (i % 100 === 0) messages.push(eventMessage(exampleRedLightEvent({ id: ulid(), incident: ulid(), seq: ++good, gateway: 'gw-dlq', camera: 'cam-1' })));
    }
    await publishAll(pub, messages, 500);
    await waitFor('all messages handled', async () => (await w.store.countDeadLetters()) === 10_000 && (await w.store.countEvents()) === good, 180_000);
    // Still alive: one more good event after the flood of bad ones.
    await publishAll(pub, [eventMessage(exampleRedLightEvent({ id: ulid(), incident: ulid(), seq: ++good, gateway: 'gw-dlq', camera: 'cam-1' }))]);
    await waitFor('the next good event', async () => (await w.store.countEvents()) === good, 30_000);
    const letters = await w.store.listDeadLetters(20_000);
    const perKind = (k: number) => Array.from({ length: 10_000 }, (_, i) => i % kinds.length).filter((x) => x === k).length;
    const expected: Array<[RegExp, number]> = [
      [/not valid JSON/, perKind(0) + perKind(6)],
      [/^\/score /, perKind(1)],
      [/contract version 2/, perKind(2)],
      [/over the 8192-byte limit/, perKind(3)],
      [/not in the vigil\/v1 contract/, perKind(4)],
      [/but was published on/, perKind(5)],
    ];
    for (const [pattern, count] of expected) assert.equal(letters.filter((d) => pattern.test(d.reason)).length, count, `${pattern} dead letters`);
    const oversized = letters.find((d) => /byte limit/.test(d.reason))!;
    assert.equal(oversized.payload.byteLength, 9 * 1024, 'under the 64 KiB keep limit the whole payload is kept');
    assert.equal(oversized.payload_bytes, 9 * 1024);
    const counted = await w.worker.pipeline.registry.getSingleMetricAsString('vigil_ingest_dead_letters_total');
    assert.match(counted, new RegExp(`channel="telemetry"[^}]*} ${perKind(2)}$`, 'm'));
    const total = (await w.worker.pipeline.metrics.deadLetters.get()).values.reduce((s, v) => s + v.value, 0);
    assert.equal(total, 10_000);
  } finally {
    await pub.endAsync();
    await w.close();
  }
});
