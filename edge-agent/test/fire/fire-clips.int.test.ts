import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, type VigilEvent } from '@vigil/contracts';
import { loadDetector, MODELS_DIR } from '@vigil/models';
import { dataFile, ffmpegSkip } from '@vigil/testkit';
import { detectorFire, FireStage } from '../../src/analytics/fire/index.js';
import { runCameraOffline } from '../../src/pipeline/index.js';
import type { Frame } from '../../src/source/frame.js';

// These run once our fire-smoke detector is in models/fire-smoke (issue "Train and ship").
const modelDir = process.env['VIGIL_MODELS_DIR'] ?? MODELS_DIR;
function fireSmokeModelSkip(): string | false {
  const manifest = join(modelDir, 'fire-smoke', 'model.json');
  if (!existsSync(manifest)) return 'the fire-smoke model is not in models/fire-smoke yet (no model.json); skipping';
  const file = (JSON.parse(readFileSync(manifest, 'utf8')) as { file: { path: string } }).file.path;
  return existsSync(join(modelDir, 'fire-smoke', file)) ? false : `the fire-smoke model's ${file} is not there yet; skipping`;
}
const modelSkip = fireSmokeModelSkip();
const house6 = dataFile('fire-smoke/videos/house6.mp4');
const house6Labels = dataFile('fire-smoke/videos/house6.xml');
const hanoi = dataFile('traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4');

const cameraConfig = loadConfigFile(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fire-camera.yaml'));

async function run(url: string, maxSeconds?: number): Promise<{ events: VigilEvent[]; videoStart: number }> {
  const detector = await loadDetector('fire-smoke');
  const detect = detectorFire(detector);
  let videoStart = NaN;
  const events: VigilEvent[] = [];
  try {
    await runCameraOffline({
      config: cameraConfig,
      input: url,
      ...(maxSeconds ? { maxSeconds } : {}),
      emit: (e) => events.push(e),
      analytics: [FireStage.factory({ detect: (image) => {
        const frame = image as Frame;
        if (Number.isNaN(videoStart)) videoStart = frame.at - frame.ptsMs;
        return detect(image);
      } })],
    });
  } finally {
    await detector.close();
  }
  return { events, videoStart };
}

/** First frame with an annotated flame, in seconds (the XML lists boxes per frame at its frameRate). */
function firstFlameSeconds(xml: string): number {
  const rate = Number(/<frameRate>(\d+(?:\.\d+)?)<\/frameRate>/.exec(xml)?.[1]);
  const frame = /<frameNumber>(\d+)<\/frameNumber>\s*<annotations>\s*<_>/.exec(xml);
  assert.ok(rate > 0 && frame, 'house6.xml has a frame rate and an annotated frame');
  return Number(frame[1]) / rate;
}

test('house6: one fire incident within a few seconds of the first annotated flame, ended after', { skip: ffmpegSkip() || modelSkip || house6.skip || house6Labels.skip }, async () => {
  const { events, videoStart } = await run(house6.path);
  const fire = events.filter((e) => e.type === 'fire');
  const starts = fire.filter((e) => e.phase === 'start');
  assert.equal(starts.length, 1, `one incident: ${events.map((e) => `${e.type}:${e.phase}`).join(', ')}`);
  const startS = (Date.parse(starts[0]!.frame_at) - videoStart) / 1000;
  const flameS = firstFlameSeconds(readFileSync(house6Labels.path, 'utf8'));
  assert.ok(startS >= flameS && startS <= flameS + 5, `started at ${startS} s, first flame at ${flameS} s`);
  assert.equal(fire[fire.length - 1]!.phase, 'end');
});

test('Hanoi traffic clip: no fire or smoke incident', { skip: ffmpegSkip() || modelSkip || hanoi.skip }, async () => {
  const { events } = await run(hanoi.path, 60);
  assert.deepEqual(events.map((e) => e.type), []);
});
