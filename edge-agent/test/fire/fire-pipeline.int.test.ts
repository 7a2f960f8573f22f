import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfigText, validateMessage, type VigilEvent } from '@vigil/contracts';
import { fieldFireScene, renderClip } from '@vigil/demo';
import { ffmpegSkip } from '@vigil/testkit';
import { FireStage, type FireDetection } from '../../src/analytics/fire/index.js';
import { EvidenceRecorder, EvidenceStore } from '../../src/evidence/index.js';
import { runCameraOffline } from '../../src/pipeline/index.js';
import type { Frame } from '../../src/source/frame.js';

/**
 * FakeFireDetector: the fire-smoke model has not landed, so this stands in for it by reading the
 * rendered scene's ground truth at the frame's stream time. It tests the stage, the pipeline and the
 * evidence path, not detection quality.
 */
function fakeFireDetector(scene: ReturnType<typeof fieldFireScene>, clock: { videoStart?: number }) {
  return (frame: Frame): FireDetection[] => {
    clock.videoStart ??= frame.at - frame.ptsMs;
    const truth = scene.truth(frame.ptsMs / 1000);
    if (!truth.fireBox) return [];
    const [x1, y1, x2, y2] = truth.fireBox;
    return [{ label: 'fire', score: 0.8, box: { x1, y1, x2, y2 } }];
  };
}

test('fire stage in the offline pipeline: one straw_burning incident on a rendered field fire, with evidence, ended after', { skip: ffmpegSkip() }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-fire-'));
  const clip = join(dir, 'field.mp4');
  const scene = fieldFireScene({ igniteAt: 10, burnSeconds: 20 });
  await renderClip({ scene, seconds: 45, fps: 2, out: clip, ffmpeg: '/usr/bin/ffmpeg' });
  const text = `version: 1
site: hue
gateway: gw-test
cameras:
  - id: rice-field
    source: { url: "${clip}", transport: tcp, realtime: false }
    detect: { width: 640, height: 360, fps: 2 }
    zones:
      - { id: paddy, kind: field, polygon: [[0, 0.45], [1, 0.45], [1, 1], [0, 1]] }
    analytics:
      fire: { zones: [paddy], confirm_k: 3, confirm_n: 5, sample_every_s: 1, burning_season: { months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } }
`;
  const r = checkConfigText(text, 'test.yaml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const store = await EvidenceStore.open({ dir: join(dir, 'evidence'), maxBytes: 100e6, retentionMs: 86_400_000 });
  const events: VigilEvent[] = [];
  const clock: { videoStart?: number } = {};
  await runCameraOffline({
    config: r.config,
    input: clip,
    emit: (e) => events.push(e),
    analytics: [FireStage.factory({ detect: fakeFireDetector(scene, clock) as (i: unknown) => FireDetection[], evidence: new EvidenceRecorder({ store, preS: 2, postS: 2, fps: 2, encodeInBackground: false }), updateEveryS: 10 })],
  });
  const phases = events.map((e) => `${e.type}:${e.phase}`);
  assert.equal(phases[0], 'straw_burning:start');
  assert.equal(phases[phases.length - 1], 'straw_burning:end');
  assert.equal(new Set(events.map((e) => e.incident)).size, 1);
  const start = events[0]!;
  const end = events[events.length - 1]!;
  for (const e of events) assert.ok(validateMessage('event', e).ok);
  assert.deepEqual(start.evidence.map((x) => x.kind), ['snapshot', 'clip']);
  assert.equal(start.zone, 'paddy');
  // flames from 10 s: confirmed on the 3rd sampled frame with them (k = 3 at 1 sample/s), so 12-13 s
  const startS = (Date.parse(start.frame_at) - clock.videoStart!) / 1000;
  assert.ok(startS >= 12 && startS <= 13.5, `started at ${startS} s of video`);
  // flames until 30 s; the end comes after n = 5 samples without any: 34-36 s
  const endS = (Date.parse(end.frame_at) - clock.videoStart!) / 1000;
  assert.ok(endS >= 34 && endS <= 36.5, `ended at ${endS} s of video`);
  assert.ok(events.filter((e) => e.phase === 'update').length >= 1, 'at least one update while it burns (every 10 s)');
  await rm(dir, { recursive: true, force: true });
});
