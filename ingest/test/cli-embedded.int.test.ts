import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { exampleFloodEvent, exampleTelemetry, topics } from '@vigil/contracts';
import { freePort, mosquittoSkip, startMosquitto } from '@vigil/testkit';
import { KyselyStore, MEASUREMENTS, SqliteTimeSeriesWriter, openDatabase } from '../src/index.js';
import { WorkerProcess, eventMessage, publishAll, publisher, waitFor } from './helpers/services.js';

test('vigil ingest on embedded stores (PGlite + SQLite): stores, alerts, and keeps the data across a restart', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  const data = WorkerProcess.dataDir();
  const metricsPort = await freePort();
  const worker = new WorkerProcess(['--mqtt', broker.url, '--data', data, '--client-id', 'ingest-embedded', '--connections', '1', '--metrics-port', String(metricsPort)]);
  const handled = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const sum = (name: string) => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
    return sum('vigil_ingest_messages_total') + sum('vigil_ingest_dead_letters_total');
  };
  const pub = await publisher(broker.url);
  try {
    await worker.start();
    const e = exampleFloodEvent();
    const tm = exampleTelemetry();
    await publishAll(pub, [eventMessage(e), { topic: topics.camera(tm.site, tm.gateway, tm.camera, 'telemetry'), payload: JSON.stringify(tm) }, { topic: topics.camera(e.site, e.gateway, e.camera, 'event'), payload: 'nonsense' }]);
    // SIGTERM: the worker finishes what it holds and closes the embedded databases cleanly.
    await waitFor('three messages handled', async () => (await handled()) === 3, 60_000);
    await worker.kill('SIGTERM');
    const db = await openDatabase({ embedded: true, dir: join(data, 'pglite') });
    try {
      const store = new KyselyStore(db.db);
      assert.equal((await store.getEvent(e.id))?.type, 'flood_level');
      assert.equal((await store.listAlerts())[0]?.agency, 'ioc');
      assert.equal(await store.countDeadLetters(), 1);
    } finally {
      await db.close();
    }
    const ts = new SqliteTimeSeriesWriter(join(data, 'timeseries.sqlite'));
    const t = Date.parse(tm.at);
    assert.equal((await ts.query(MEASUREMENTS.telemetry, { from: t, to: t + 1 })).length, 1);
    await ts.close();
  } finally {
    await pub.endAsync();
    await worker.kill();
    await broker.stop();
  }
});
