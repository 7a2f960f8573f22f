import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { encodeEvidenceFrame, exampleFloodEvent, topics } from '@vigil/contracts';
import { mosquittoSkip, startMosquitto, waitFor } from '@vigil/testkit';
import { EvidenceStore, IngestWorker, KyselyStore, SqliteTimeSeriesWriter, openDatabase } from '../src/index.js';

test('over MQTT 3.1.1 (brokers without MQTT 5) ingest stores events and VGEV-framed evidence, and refuses a shared group', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  const db = await openDatabase({ embedded: true });
  const timeseries = new SqliteTimeSeriesWriter(':memory:');
  const evidenceDir = mkdtempSync(join(tmpdir(), 'vigil-ev311-'));
  const store = new KyselyStore(db.db);
  const worker = new IngestWorker({ store, timeseries, evidence: new EvidenceStore(evidenceDir), mqtt: { url: broker.url, clientId: 'ingest-311', protocolVersion: 4 } });
  const grouped = new IngestWorker({ store, timeseries, mqtt: { url: broker.url, clientId: 'ingest-311-g', protocolVersion: 4, group: 'ingest' } });
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    await assert.rejects(grouped.start(), /needs MQTT 5/);
    await worker.start();
    const e = exampleFloodEvent({ site: 'demo', gateway: 'gw-1', camera: 'cam-1' } as never);
    const bytes = Buffer.from('a small jpeg stand-in');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await pub.publishAsync(topics.camera('demo', 'gw-1', 'cam-1', 'event'), JSON.stringify(e), { qos: 1 });
    await pub.publishAsync(topics.camera('demo', 'gw-1', 'cam-1', 'evidence'), encodeEvidenceFrame({ sha256, content_type: 'image/jpeg', bytes: bytes.length, index: 0, count: 1 }, bytes), { qos: 1 });
    await waitFor('the event stored', async () => (await store.countEvents()) === 1, 10_000);
    await waitFor('the evidence file stored under its sha256', async () => {
      try {
        return new EvidenceStore(evidenceDir).pathOf(sha256) !== undefined && (await import('node:fs')).existsSync(new EvidenceStore(evidenceDir).pathOf(sha256));
      } catch {
        return false;
      }
    }, 10_000);
    assert.equal((await store.listAlerts()).length, 1);
  } finally {
    await pub.endAsync();
    await worker.close();
    await timeseries.close();
    await db.close();
    await broker.stop();
  }
});
