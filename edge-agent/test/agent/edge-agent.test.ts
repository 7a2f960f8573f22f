import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { checkConfigText, decodeMessage, topics, type VigilEvent } from '@vigil/contracts';
import { ffmpegSkip, makeClip, mosquittoSkip, startMosquitto, waitFor } from '@vigil/testkit';
import { EdgeAgent } from '../../src/agent/index.js';

const skip = mosquittoSkip() || ffmpegSkip();

test('the edge agent publishes status, telemetry and health events from a real camera source to a real broker', { skip }, async () => {
  const broker = await startMosquitto();
  const moving = makeClip({ seconds: 8, width: 320, height: 180, fps: 5 });
  const frozen = makeClip({ seconds: 8, width: 320, height: 180, fps: 5, source: 'color=c=0x202020' });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-'));
  const yaml = `version: 1
site: test
gateway: gw-a
mqtt: { url: "${broker.url}" }
storage: { dir: "${dir}" }
cameras:
  - id: live
    source: { url: "${moving}", transport: tcp, loop: true, realtime: true }
    detect: { width: 320, height: 180, fps: 5 }
  - id: frozen
    source: { url: "${frozen}", transport: tcp, loop: true, realtime: true }
    detect: { width: 320, height: 180, fps: 5 }
    health: { frozen_s: 2, tamper_s: 2 }
`;
  const parsed = checkConfigText(yaml, 'gw-a.yaml', {});
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  const events: VigilEvent[] = [];
  const telemetry: { camera: string; fps: number; state: string; decoded: number }[] = [];
  const status: string[] = [];
  sub.on('message', (topic, payload) => {
    if (topic.endsWith('/event')) {
      const r = decodeMessage('event', payload);
      assert.ok(r.ok, `events on the wire satisfy the contract: ${JSON.stringify(!r.ok && r.issues)}`);
      events.push(r.value);
    } else if (topic.endsWith('/telemetry')) {
      const r = decodeMessage('telemetry', payload);
      assert.ok(r.ok);
      telemetry.push({ camera: r.value.camera, fps: r.value.fps, state: r.value.health.state, decoded: r.value.frames?.decoded ?? 0 });
    } else if (topic.endsWith('/status')) {
      status.push((JSON.parse(payload.toString()) as { state: string }).state);
    }
  });
  await sub.subscribeAsync('vigil/v1/test/gw-a/#', { qos: 1 });
  const agent = new EdgeAgent({ config: parsed.config, telemetryIntervalMs: 1000 });
  try {
    await agent.start();
    await waitFor('online status', async () => status.includes('online'), 10_000);
    await waitFor('a camera_tampered event for the frozen camera', async () => events.some((e) => e.type === 'camera_tampered' && e.camera === 'frozen'), 30_000);
    await waitFor('telemetry with frames from the live camera', async () => telemetry.some((t) => t.camera === 'live' && t.fps > 0), 15_000);
    const tampered = events.find((e) => e.type === 'camera_tampered')!;
    assert.equal(tampered.phase, 'start');
    assert.ok(!events.some((e) => e.camera === 'live' && e.type === 'camera_tampered'), 'the moving camera is not tampered');

    // remote config: only the frozen camera changes, so only its source restarts (its frame count starts again)
    const before = telemetry.length;
    const decodedOf = (cam: string, from = 0) => telemetry.slice(from).filter((t) => t.camera === cam).map((t) => t.decoded);
    const frozenBefore = Math.max(...decodedOf('frozen'));
    const revised = yaml.replace('health: { frozen_s: 2, tamper_s: 2 }', 'health: { frozen_s: 3, tamper_s: 2 }');
    assert.notEqual(revised, yaml);
    await sub.publishAsync(topics.gateway('test', 'gw-a', 'config'), JSON.stringify({ v: 1, revision: 2, issued_at: new Date().toISOString(), yaml: revised }), { qos: 1, retain: true });
    await waitFor('the frozen camera restarted by the new config', async () => decodedOf('frozen', before).some((d) => d < frozenBefore), 20_000);
    const live = decodedOf('live');
    assert.deepEqual(live, [...live].sort((a, b) => a - b), 'the unchanged camera was never restarted: its frame count only grows');
    assert.deepEqual(agent.cameras.sort(), ['frozen', 'live']);

    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'gateway seq increases');
    assert.equal(new Set(seqs).size, seqs.length, 'seq numbers are unique');
  } finally {
    await agent.stop();
    await waitFor('offline status after stop', async () => status.at(-1) === 'offline', 10_000).catch(() => undefined);
    await sub.endAsync();
    await broker.stop();
  }
  assert.equal(status.at(-1), 'offline', 'a clean stop publishes retained offline');
  assert.equal(topics.gateway('test', 'gw-a', 'status'), 'vigil/v1/test/gw-a/status');
});
