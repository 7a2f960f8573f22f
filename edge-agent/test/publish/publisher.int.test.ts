import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { checkConfigText, decodeEvidenceFrame, decodeMessage, exampleFloodEvent, exampleTelemetry, validateMessage } from '@vigil/contracts';
import { createMetricsRegistry } from '@vigil/observe';
import { mosquittoSkip, startMosquitto } from '@vigil/testkit';
import { MemoryOutbox, parseEvidenceProperties, Publisher, RemoteConfig, SqliteOutbox, type ConfigDiff, type EventDraft } from '../../src/publish/index.js';
import { firstArrivals, Recorder, startAgent } from './helpers.js';

const SITE = 'hue';
const GW = 'gw-1';

function draft(camera: string, n: number): EventDraft {
  const { id: _id, seq: _seq, ...rest } = exampleFloodEvent({ site: SITE, gateway: GW, camera, score: (n % 100) / 100 });
  return rest as EventDraft;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-publish-'));
}

test('publisher: retained online status, events with seq and ULID ids, telemetry, health, chunked evidence', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  const dir = tempDir();
  const outbox = new SqliteOutbox({ path: join(dir, 'outbox.db') });
  const registry = createMetricsRegistry('test', false);
  const publisher = new Publisher({
    site: SITE,
    gateway: GW,
    link: { url: broker.url, keepalive_s: 5 },
    outbox,
    agentVersion: '0.1.0-test',
    storageDir: dir,
    cameras: () => [{ camera: 'cam-a', fps: 4.5, state: 'ok' }],
    models: () => ({ water: '1.0.0' }),
    healthIntervalMs: 300,
    registry,
  });
  const watch = await Recorder.connect(broker.url, `vigil/v1/${SITE}/${GW}/#`);
  try {
    publisher.start();
    await watch.until('online status', () => watch.on('/status').length > 0);
    const status = decodeMessage('gateway-status', watch.on('/status')[0]!.payload);
    assert.ok(status.ok, JSON.stringify(status));
    assert.equal(status.value.state, 'online');

    const sent = [publisher.publishEvent(draft('cam-a', 1)), publisher.publishEvent(draft('cam-b', 2)), publisher.publishEvent(draft('cam-a', 3))];
    publisher.publishTelemetry(exampleTelemetry({ site: SITE, gateway: GW, camera: 'cam-a' }));
    const clip = join(dir, 'clip.mp4');
    const bytes = randomBytes(300 * 1024);
    writeFileSync(clip, bytes);
    const ev = await publisher.publishEvidence({ camera: 'cam-a', path: clip, contentType: 'video/mp4', chunkBytes: 128 * 1024 });
    assert.equal(ev.count, 3);

    await watch.until('3 events, telemetry, 3 chunks, health', () => watch.on('/event').length >= 3 && watch.on('/telemetry').length >= 1 && watch.on('/evidence').length >= 3 && watch.on('/health').length >= 1);
    const events = watch.events();
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
    assert.deepEqual(events.map((e) => e.id), sent.map((m) => m.id), 'the event id is the outbox ULID');

    const chunks = watch.on('/evidence').map((m) => ({ header: parseEvidenceProperties(m.userProperties), payload: m.payload }));
    for (const c of chunks) assert.ok(validateMessage('evidence-chunk', c.header).ok, JSON.stringify(c.header));
    const whole = Buffer.concat(chunks.sort((a, b) => a.header.index! - b.header.index!).map((c) => c.payload));
    assert.equal(createHash('sha256').update(whole).digest('hex'), ev.sha256);
    assert.deepEqual(whole, bytes);

    const health = decodeMessage('gateway-health', watch.on('/health').at(-1)!.payload);
    assert.ok(health.ok, JSON.stringify(health));
    assert.deepEqual(health.value.cameras, [{ camera: 'cam-a', fps: 4.5, state: 'ok' }]);
    assert.deepEqual(health.value.versions, { agent: '0.1.0-test', models: { water: '1.0.0' } });
    assert.ok(health.value.disk_free_bytes > 0 && health.value.memory_bytes > 0);

    await watch.until('outbox empty', () => outbox.stats().depth === 0, 5000).catch(() => undefined);
    assert.equal(outbox.stats().depth, 0, 'every acked message left the outbox');
    const metrics = await registry.metrics();
    assert.match(metrics, /vigil_outbox_depth\{kind="event"[^}]*\} 0/);
    assert.match(metrics, /vigil_publish_delivered_total\{kind="evidence"[^}]*\} 3/);
  } finally {
    await publisher.stop();
    outbox.close();
    await watch.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

const OUTAGE_S = Number(process.env.VIGIL_OUTAGE_S ?? 15);

test(`broker down for ${OUTAGE_S} s (VIGIL_OUTAGE_S) while events keep coming: every event arrives, in order per camera`, { skip: mosquittoSkip() }, async (t) => {
  const broker = await startMosquitto();
  const dir = tempDir();
  const outbox = new SqliteOutbox({ path: join(dir, 'outbox.db') });
  const publisher = new Publisher({
    site: SITE,
    gateway: GW,
    link: { url: broker.url, keepalive_s: 5 },
    outbox,
    agentVersion: '0.1.0-test',
    storageDir: dir,
    // Mosquitto 2.0.11 does not reliably keep messages for a persistent subscriber that has not yet
    // reconnected after a broker restart (lost in 2 of ~6 CI runs; upstream #2349, #3074): the gateway
    // retries every 3 s so the subscriber (mqtt.js, every 1 s) is back before the backlog drains.
    backoff: { initialMs: 3000, maxMs: 3000 },
  });
  // A persistent session: what the broker receives while ingest is reconnecting waits for it.
  const ingest = await Recorder.connect(broker.url, `vigil/v1/${SITE}/+/+/event`, { clientId: 'outage-ingest', clean: false, properties: { sessionExpiryInterval: 3600 } });
  const cams = ['cam-a', 'cam-b', 'cam-c'];
  const committed: string[] = [];
  let n = 0;
  let paused = false;
  const produce = setInterval(() => {
    if (paused) return;
    const m = publisher.publishEvent(draft(cams[n % 3]!, n));
    committed.push(m.id);
    n++;
  }, 50);
  try {
    publisher.start();
    await ingest.until('first events', () => ingest.on('/event').length >= 20);
    // Mosquitto 2.0 can drop QoS 1 messages that are in flight to a persistent subscriber when the
    // broker shuts down (seen here once in ~10 runs; upstream eclipse-mosquitto/mosquitto#2349). That is
    // the broker's loss, not the outbox's, so the broker is stopped once everything it acknowledged has
    // been delivered; events keep coming during the whole outage.
    paused = true;
    await ingest.until('every event so far delivered', () => outbox.stats().depth === 0 && new Set(ingest.events().map((e) => e.id)).size >= committed.length);
    await broker.stop();
    paused = false;
    const atStop = committed.length;
    await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
    const queued = outbox.stats();
    assert.ok(committed.length - atStop > OUTAGE_S * 10, 'events kept coming during the outage');
    assert.ok(queued.depth > 0 && queued.oldestAgeSeconds > OUTAGE_S / 2, `the outbox held the backlog (depth ${queued.depth}, oldest ${queued.oldestAgeSeconds} s)`);
    await broker.restart();
    await new Promise((r) => setTimeout(r, 2000));
    clearInterval(produce);
    await ingest
      .until(`all ${committed.length} events`, () => new Set(ingest.events().map((e) => e.id)).size >= committed.length, 60_000)
      .catch((err: Error) => {
        const got = new Set(ingest.events().map((e) => e.id));
        throw new Error(`${err.message}: received ${got.size}, outbox depth ${outbox.stats().depth}, publisher connected ${publisher.isConnected}, ingest connected ${ingest.client.connected}, first missing ${committed.findIndex((id) => !got.has(id))}`);
      });
    const { byCamera, duplicates } = firstArrivals(ingest.events());
    const received = [...byCamera.values()].flat();
    assert.equal(received.length, committed.length);
    assert.deepEqual(new Set(received.map((e) => e.id)), new Set(committed), 'every committed event arrived');
    for (const [cam, list] of byCamera) {
      const seqs = list.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${cam}: events in order`);
    }
    const allSeqs = received.map((e) => e.seq).sort((a, b) => a - b);
    assert.deepEqual(allSeqs, Array.from({ length: committed.length }, (_, i) => i + 1), 'per-gateway seq has no gaps');
    t.diagnostic(`outage ${OUTAGE_S} s: ${committed.length} events, ${atStop} before the stop, duplicates ${duplicates}`);
  } finally {
    clearInterval(produce);
    await publisher.stop();
    outbox.close();
    await ingest.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 of the agent mid-burst (link up, then link down), restart: every committed event arrives; the Last Will says offline', { skip: mosquittoSkip() }, async (t) => {
  const broker = await startMosquitto();
  const dir = tempDir();
  const ingest = await Recorder.connect(broker.url, `vigil/v1/${SITE}/#`, { clientId: 'kill-ingest', clean: false, properties: { sessionExpiryInterval: 3600 } });
  const committed: { seq: number; id: string; camera: string }[] = [];
  const collect = (lines: string[]) => {
    for (const l of lines.filter((x) => x.startsWith('committed '))) {
      const [, seq, id, camera] = l.split(' ');
      committed.push({ seq: Number(seq), id: id!, camera: camera! });
    }
  };
  const offline = () => ingest.on('/status').filter((m) => JSON.parse(m.payload.toString()).state === 'offline').length;
  let drain: ReturnType<typeof startAgent> | undefined;
  try {
    // 1. Link up: kill -9 mid-burst, with messages in flight. The broker sends the Last Will.
    const first = startAgent(broker.url, dir, 'burst');
    await first.waitLines((l) => l.length >= 500);
    first.child.kill('SIGKILL');
    await first.exited;
    collect(first.lines);
    await ingest.until('Last Will "offline"', () => offline() >= 1, 15_000);

    // 2. Restarted (seq continues from the outbox), link down mid-burst, kill -9 with a backlog.
    const second = startAgent(broker.url, dir, 'burst');
    await second.waitLines((l) => l.length >= 300);
    await broker.stop();
    const base = second.lines.length;
    await second.waitLines((l) => l.length >= base + 500);
    second.child.kill('SIGKILL');
    await second.exited;
    collect(second.lines);
    const deliveredBefore = new Set(ingest.events().map((e) => e.id));
    const backlog = committed.filter((c) => !deliveredBefore.has(c.id)).length;
    assert.ok(backlog >= 500, `the second kill left a backlog (${backlog} undelivered)`);

    // 3. Broker back, agent restarted: it drains what the dead agents committed.
    await broker.restart();
    await ingest.until('ingest reconnected', () => ingest.client.connected, 15_000);
    drain = startAgent(broker.url, dir, 'drain');
    await drain.waitLines((l) => l.includes('drained'), 60_000);
    await ingest.until('every committed event', () => {
      const got = new Set(ingest.events().map((e) => e.id));
      return committed.every((c) => got.has(c.id));
    }, 20_000);
    const { byCamera, duplicates } = firstArrivals(ingest.events());
    for (const [cam, list] of byCamera) {
      const seqs = list.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${cam}: events in order`);
    }
    const seqs = [...byCamera.values()].flat().map((e) => e.seq).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'seq has no gaps and continued across restarts: nothing committed was lost');
    assert.ok(seqs.length >= committed.length);
    const lastStatus = JSON.parse(ingest.on('/status').at(-1)!.payload.toString());
    assert.equal(lastStatus.state, 'online', 'the restarted agent is online again');
    t.diagnostic(`${committed.length} committed over two kill -9s, ${backlog} waiting at the second, duplicates ${duplicates}`);
  } finally {
    if (drain) {
      drain.child.kill('SIGTERM');
      await drain.exited;
    }
    await ingest.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote config over the retained topic: a good revision is applied with a diff, a bad one is refused and reported in health', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  const dir = tempDir();
  const outbox = new MemoryOutbox();
  const localYaml = readFileSync(new URL('../../../docs/examples/minimal-camera.yaml', import.meta.url), 'utf8');
  const local = checkConfigText(localYaml, 'minimal-camera.yaml', {});
  assert.ok(local.ok, JSON.stringify(local));
  const site = local.config.site;
  const gateway = local.config.gateway;
  const applied: { revision: number; diff: ConfigDiff }[] = [];
  const rc = new RemoteConfig({ site, gateway, current: local.config, env: {}, apply: (_c, diff, revision) => void applied.push({ revision, diff }) });
  const outcomes: Promise<unknown>[] = [];
  const publisher = new Publisher({
    site,
    gateway,
    link: { url: broker.url, keepalive_s: 5 },
    outbox,
    agentVersion: '0.1.0-test',
    storageDir: dir,
    onConfig: (payload) => outcomes.push(rc.handle(payload)),
    configState: () => rc.state(),
  });
  const centre = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  const watch = await Recorder.connect(broker.url, `vigil/v1/${site}/${gateway}/health`);
  const configTopic = `vigil/v1/${site}/${gateway}/config`;
  const send = (revision: number, yaml: string) =>
    centre.publishAsync(configTopic, JSON.stringify({ v: 1, revision, issued_at: new Date().toISOString(), yaml }), { qos: 1, retain: true });
  try {
    const edited = structuredClone(local.config);
    edited.cameras[0]!.detect.fps = 3;
    const good = JSON.stringify(edited); // JSON is YAML too
    await send(1, good); // retained before the gateway connects: it gets it on subscribe
    publisher.start();
    await watch.until('revision 1 applied', () => applied.length === 1, 10_000);
    assert.equal(applied[0]!.revision, 1);
    assert.deepEqual(applied[0]!.diff.changed.map((c) => c.id), [local.config.cameras[0]!.id]);

    await send(2, good.replace(`"site":"${site}"`, '"site":"Not A Slug"'));
    await watch.until('revision 2 handled', () => outcomes.length === 2, 10_000);
    await Promise.all(outcomes);
    assert.equal(applied.length, 1, 'the bad revision was not applied');
    publisher.publishHealth();
    await watch.until('health', () => watch.on('/health').length > 0, 10_000);
    const health = decodeMessage('gateway-health', watch.on('/health').at(-1)!.payload);
    assert.ok(health.ok, JSON.stringify(health));
    assert.equal(health.value.config?.revision, 1);
    assert.equal(health.value.config?.rejected?.revision, 2);
    assert.match(health.value.config?.rejected?.reason ?? '', /\/site/);
  } finally {
    await centre.publishAsync(configTopic, '', { qos: 1, retain: true });
    await publisher.stop();
    await centre.endAsync();
    await watch.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('MQTT 3.1.1 link (protocol_version 4): status, events, and evidence chunks framed with their header (VGEV)', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  const dir = tempDir();
  const outbox = new MemoryOutbox();
  const publisher = new Publisher({ site: SITE, gateway: GW, link: { url: broker.url, keepalive_s: 5, protocol_version: 4 }, outbox, agentVersion: '0.1.0-test', storageDir: dir });
  const watch = await Recorder.connect(broker.url, `vigil/v1/${SITE}/${GW}/#`, { protocolVersion: 4 });
  try {
    publisher.start();
    publisher.publishEvent(draft('cam-a', 1));
    const file = join(dir, 'snap.jpg');
    const bytes = randomBytes(200 * 1024);
    writeFileSync(file, bytes);
    const ev = await publisher.publishEvidence({ camera: 'cam-a', path: file, contentType: 'image/jpeg' });
    await watch.until('status, event and 2 chunks', () => watch.on('/status').length > 0 && watch.on('/event').length === 1 && watch.on('/evidence').length === ev.count, 10_000);
    assert.equal(ev.count, 2);
    const frames = watch.on('/evidence').map((m) => decodeEvidenceFrame(m.payload));
    assert.deepEqual(frames.map((f) => f.header.index), [0, 1]);
    assert.deepEqual(Buffer.concat(frames.map((f) => f.bytes)), bytes);
    assert.equal(frames[0]!.header.sha256, ev.sha256);
  } finally {
    await publisher.stop();
    await watch.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
