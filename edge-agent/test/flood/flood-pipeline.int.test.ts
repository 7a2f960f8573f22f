import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfigText, type EventOf, type GatewayConfig, type VigilEvent } from '@vigil/contracts';
import { floodGaugeScene, GAUGE_MARKS, renderClip } from '@vigil/demo';
import { dataFile, ffmpegSkip } from '@vigil/testkit';
import { FloodStage, type FloodTelemetry } from '../../src/analytics/flood/index.js';
import { EvidenceRecorder, EvidenceStore } from '../../src/evidence/index.js';
import { runCameraOffline } from '../../src/pipeline/index.js';

function gatewayConfig(url: string, gaugeMarks = GAUGE_MARKS): GatewayConfig {
  const marks = gaugeMarks.map((m) => `          - { at: [${m.at[0]}, ${m.at[1]}], cm: ${m.cm} }`).join('\n');
  const text = `version: 1
site: hue
gateway: gw-test
cameras:
  - id: kim-long-gauge
    source: { url: "${url}", transport: tcp, realtime: false }
    detect: { width: 640, height: 360, fps: 2 }
    gauges:
      - id: staff
        marks:
${marks}
    analytics:
      flood: { gauge: staff, sample_every_s: 2, smoothing_samples: 3 }
`;
  const r = checkConfigText(text, 'test.yaml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.config;
}

test('vigil process path: a rendered rising flood gives watch -> warning -> danger with snapshot and clip evidence', { skip: ffmpegSkip() }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-flood-'));
  const clip = join(dir, 'flood.mp4');
  // 0 -> 60 cm over 32 s, rain and the gauge's reflection in the water
  await renderClip({ scene: floodGaugeScene({ seconds: 40, startCm: 0, peakCm: 60, rain: true, reflection: true }), seconds: 40, fps: 2, out: clip, ffmpeg: '/usr/bin/ffmpeg' });
  const store = await EvidenceStore.open({ dir: join(dir, 'evidence'), maxBytes: 100e6, retentionMs: 86_400_000 });
  const telemetry: FloodTelemetry[] = [];
  const events: VigilEvent[] = [];
  await runCameraOffline({
    config: gatewayConfig(clip),
    input: clip,
    emit: (e) => events.push(e),
    analytics: [FloodStage.factory({ evidence: new EvidenceRecorder({ store, preS: 2, postS: 2, fps: 2, encodeInBackground: false }), onTelemetry: (_, t) => telemetry.push(t) })],
  });
  const flood = events.filter((e): e is EventOf<'flood_level'> => e.type === 'flood_level');
  assert.deepEqual(flood.map((e) => `${e.phase}:${e.attributes.level}`), ['start:watch', 'update:warning', 'update:danger']);
  assert.equal(new Set(flood.map((e) => e.incident)).size, 1);
  for (const e of flood) {
    assert.deepEqual(e.evidence.map((r) => r.kind), ['snapshot', 'clip']);
    for (const r of e.evidence) assert.ok(existsSync(join(dir, 'evidence', `${r.sha256}.${r.kind === 'clip' ? 'mp4' : 'jpg'}`)));
  }
  assert.ok(telemetry.length >= 18, `a sample every 2 s of 40 s: ${telemetry.length}`);
  assert.ok(telemetry.every((t) => t.water_level_cm !== null));
  const last = telemetry[telemetry.length - 1]!;
  assert.ok(Math.abs(last.water_level_cm! - 60) <= 3, `held at 60 cm, read ${last.water_level_cm}`);
  await rm(dir, { recursive: true, force: true });
});

const hanoi = dataFile('traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4');

// A gauge line drawn where there is no gauge, across a road with a zebra crossing and traffic: the image
// checks (light board above darker water, stable paint, thin marks spread along the board) reject nearly
// every sample, and the median's majority rule drops the rest. The margin is not wide (one sample in
// twenty passed the checks when this was written); the water model closes it.
test('the Hanoi traffic clip with a gauge configured where there is none: never visible, no flood event', { skip: ffmpegSkip() || hanoi.skip }, async () => {
  const telemetry: FloodTelemetry[] = [];
  const events: VigilEvent[] = [];
  await runCameraOffline({
    config: gatewayConfig(hanoi.path),
    input: hanoi.path,
    maxSeconds: 40,
    emit: (e) => events.push(e),
    analytics: [FloodStage.factory({ onTelemetry: (_, t) => telemetry.push(t) })],
  });
  assert.ok(telemetry.length >= 10);
  assert.deepEqual(events.filter((e) => e.type === 'flood_level'), []);
  const read = telemetry.filter((t) => t.water_level_cm !== null).length;
  assert.ok(read <= telemetry.length * 0.2, `a road is not a gauge: ${read} of ${telemetry.length} samples gave a depth`);
});
