import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { checkConfigText, exampleFloodEvent, type GatewayConfig } from '@vigil/contracts';
import { mosquittoSkip, startMosquitto } from '@vigil/testkit';
import { createPublishStage, type ConfigDiff, type EventDraft } from '../../src/publish/index.js';
import { Recorder } from './helpers.js';

function config(url: string, dir: string, keepalive = 30): GatewayConfig {
  const raw = {
    version: 1,
    site: 'demo',
    gateway: 'gw-1',
    mqtt: { url, keepalive_s: keepalive },
    storage: { dir },
    cameras: [
      { id: 'cam-1', source: { url: 'rtsp://127.0.0.1:8554/cam-1', transport: 'tcp' } },
      { id: 'cam-2', source: { url: 'rtsp://127.0.0.1:8554/cam-2', transport: 'tcp' } },
    ],
  };
  const r = checkConfigText(JSON.stringify(raw), 'stage.yaml', {});
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

test('publish stage from a gateway config: events flow; a remote config relinks on an mqtt change and is resumed after a restart', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-stage-'));
  const watch = await Recorder.connect(broker.url, 'vigil/v1/demo/gw-1/+/event');
  const centre = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  const applied: ConfigDiff[] = [];
  const make = () => createPublishStage({ config: config(broker.url, dir), agentVersion: '0.1.0-test', applyConfig: (_n, diff) => void applied.push(diff) });
  let stage = make();
  try {
    let connects = 0;
    stage.publisher.on('connect', () => connects++);
    await stage.start();
    const { id: _id, seq: _seq, ...draft } = exampleFloodEvent({ site: 'demo', gateway: 'gw-1', camera: 'cam-1' });
    stage.publisher.publishEvent(draft as EventDraft);
    await watch.until('event', () => watch.on('/event').length === 1, 10_000);

    const next = config(broker.url, dir, 45);
    next.cameras[1]!.detect.fps = 2;
    await centre.publishAsync('vigil/v1/demo/gw-1/config', JSON.stringify({ v: 1, revision: 1, issued_at: new Date().toISOString(), yaml: JSON.stringify(next) }), { qos: 1, retain: true });
    await watch.until('applied and relinked', () => applied.length === 1 && connects >= 2, 10_000);
    assert.deepEqual(applied[0]!.changed.map((c) => c.id), ['cam-2']);
    assert.deepEqual(applied[0]!.unchanged, ['cam-1']);
    assert.deepEqual(applied[0]!.sections, ['mqtt']);
    await stage.stop();

    await centre.publishAsync('vigil/v1/demo/gw-1/config', '', { qos: 1, retain: true }); // the broker forgets it
    stage = make();
    await stage.start();
    assert.equal(stage.remoteConfig.state().revision, 1, 'the saved revision was resumed without the broker');
    assert.equal(stage.remoteConfig.current.mqtt.keepalive_s, 45);
    stage.publisher.publishEvent(draft as EventDraft);
    await watch.until('second event', () => watch.on('/event').length === 2, 10_000);
    assert.deepEqual(watch.events().map((e) => e.seq), [1, 2], 'seq continues across the restart');
  } finally {
    await stage.stop();
    await centre.endAsync();
    await watch.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
