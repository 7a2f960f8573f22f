import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleTelemetry, loadConfigFile, validateMessage, type VigilEvent } from '@vigil/contracts';
import { loadDetector } from '@vigil/models';
import { dataFile, ffmpegSkip } from '@vigil/testkit';
import { TrafficStage } from '../../src/analytics/traffic/traffic-stage.js';
import { TrafficAnalytic, trafficAnalytic } from '../../src/analytics/traffic/traffic-analytic.js';
import { runCameraOffline } from '../../src/pipeline/offline.js';
import { CountingSequence } from '../../src/analytics/traffic/traffic-events.js';
import type { Detection } from '../../src/track/index.js';

const root = new URL('../../../', import.meta.url).pathname;
const clip = dataFile('traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4');
const detectorFile = dataFile('models/yolox_nano.onnx');
const W = 640;
const H = 480;
const FPS = 5;

/**
 * The signal head on the right as seen frame by frame in the clip (ffmpeg -vf select, crops viewed by
 * eye; the clip runs at 6 fps): amber on frames 0-2 (0.00-0.33 s), red from frame 3 (0.50 s) to frame
 * 254 (42.32 s), green from frame 255 (42.49 s, red still faintly lit) to the end (63.8 s).
 */
const SEEN = [
  { phase: 'amber', from: 0, to: 0.333 },
  { phase: 'red', from: 0.5, to: 42.322 },
  { phase: 'green', from: 42.489, to: 63.8 },
];

async function* framesOf(path: string): AsyncGenerator<{ image: { width: number; height: number; data: Buffer }; at: number }> {
  const ff = spawn('ffmpeg', ['-v', 'error', '-i', path, '-vf', `fps=${FPS}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const size = W * H * 3;
  let pending = Buffer.alloc(0);
  let n = 0;
  for await (const chunk of ff.stdout) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= size) {
      yield { image: { width: W, height: H, data: pending.subarray(0, size) }, at: (n++ * 1000) / FPS };
      pending = pending.subarray(size);
    }
  }
}

test('Hanoi clip end to end: signal phases as seen, detector -> tracker -> rules stable for the whole clip', { skip: ffmpegSkip() || clip.skip || detectorFile.skip, timeout: 600_000 }, async () => {
  const config = loadConfigFile(join(root, 'docs/examples/hanoi-intersection.yaml'));
  const camera = config.cameras[0]!;
  const evidenceDir = mkdtempSync(join(tmpdir(), 'vigil-hanoi-'));
  const detector = await loadDetector('yolox-nano', { threads: 1 });
  try {
    const t0 = Date.parse('2022-09-25T09:46:37Z'); // the clock burnt into the first frame (approx.)
    const stage = new TrafficStage({ camera, site: config.site, gateway: config.gateway, sequence: new CountingSequence(), evidenceDir, model: { name: 'yolox-nano', version: detector.manifest.version } });
    const events: VigilEvent[] = [];
    const ids = new Set<number>();
    let frames = 0;
    let maxLive = 0;
    for await (const { image, at } of framesOf(clip.path)) {
      const [found] = await detector.detect([{ data: image.data, width: W, height: H, channels: 3 }], { minScore: 0.1 });
      const detections: Detection[] = found!.map((d) => ({ label: d.label, score: d.score, box: { x1: d.box[0], y1: d.box[1], x2: d.box[2], y2: d.box[3] } }));
      const r = await stage.frame(image, detections, t0 + at);
      events.push(...r.events);
      for (const t of r.tracks) ids.add(t.id);
      maxLive = Math.max(maxLive, stage.tracker.all().length);
      frames++;
    }
    events.push(...(await stage.finish()));

    // The whole clip was analysed: 63.8 s at 5 fps.
    assert.ok(frames >= 318 && frames <= 320, `frames ${frames}`);

    // Signal: the same three phases, each change within one analysed frame (0.2 s) of what is seen.
    const changes = stage.signal!.changes().map((c) => ({ phase: c.phase, at: (c.at - t0) / 1000 }));
    console.log('signal changes', JSON.stringify(changes));
    assert.deepEqual(
      changes.map((c) => c.phase),
      SEEN.map((s) => s.phase),
    );
    for (let i = 1; i < SEEN.length; i++) {
      const seenAt = (SEEN[i - 1]!.to + SEEN[i]!.from) / 2;
      assert.ok(Math.abs(changes[i]!.at - seenAt) <= 0.3, `${SEEN[i]!.phase} at ${changes[i]!.at} s, seen at ${seenAt} s`);
    }

    // Tracking: the clip is busy (dozens of motorbikes), ids stay bounded (no runaway re-identification).
    console.log(`tracks confirmed ${ids.size}, max live ${maxLive}, events ${events.length}`, JSON.stringify(events.map((e) => [e.type, e.phase, (Date.parse(e.frame_at) - t0) / 1000, e.track_id, 'vehicle_class' in e.attributes ? e.attributes.vehicle_class : ''])));
    assert.ok(ids.size >= 20, `confirmed tracks ${ids.size}`);
    assert.ok(maxLive <= 80, `live tracks ${maxLive}`);

    // Events: valid, red_light only while the light was red, each with its evidence files on disk.
    for (const e of events) assert.ok(validateMessage('event', e).ok, `${e.type} valid`);
    if (process.env.VIGIL_KEEP_EVIDENCE === '1') console.log(JSON.stringify(events.map((e) => [e.type, e.track_id, e.attributes, e.evidence.map((r) => r.sha256)])));
    // Looking at the evidence frames of this run by eye: riders cross the stop line into the junction
    // all through the red (e.g. +18 s, +24 s) and riders go up the down-bound side of the centre line.
    const red = events.filter((e) => e.type === 'red_light');
    assert.ok(red.length >= 3, `red_light events ${red.length}`);
    assert.ok(red.some((e) => e.attributes.vehicle_class === 'motorbike'));
    for (const e of events.filter((x) => x.type === 'wrong_way')) assert.equal(e.zone, 'exit-down');
    const files = new Set(readdirSync(evidenceDir));
    for (const e of red) {
      const s = (Date.parse(e.started_at) - t0) / 1000;
      assert.ok(s >= 0.5 && s <= 42.5, `red_light crossing at ${s} s`);
      assert.equal(e.evidence.length, 4);
      for (const ref of e.evidence) assert.ok(files.has(`${ref.sha256}.jpg`));
    }
  } finally {
    await detector.close();
    // VIGIL_KEEP_EVIDENCE=1 keeps the JPEGs for a look (the path is printed).
    if (process.env.VIGIL_KEEP_EVIDENCE === '1') console.log(`evidence kept in ${evidenceDir}`);
    else rmSync(evidenceDir, { recursive: true, force: true });
  }
});

test('Hanoi clip through the camera pipeline (source -> motion -> health -> traffic analytic)', { skip: ffmpegSkip() || clip.skip || detectorFile.skip, timeout: 600_000 }, async () => {
  const config = loadConfigFile(join(root, 'docs/examples/hanoi-intersection.yaml'));
  const evidenceDir = mkdtempSync(join(tmpdir(), 'vigil-hanoi-pipeline-'));
  const detector = await loadDetector('yolox-nano', { threads: 1 });
  try {
    const events: VigilEvent[] = [];
    const made: TrafficAnalytic[] = [];
    const factory = trafficAnalytic({ detector, evidenceDir });
    const analytics = [(c: typeof config.cameras[number]) => {
      const a = factory(c);
      if (a instanceof TrafficAnalytic) made.push(a);
      return a;
    }];
    const summary = await runCameraOffline({ config, input: clip.path, emit: (e) => events.push(e), analytics, maxSeconds: 25 });
    assert.ok(summary.frames >= 120, `frames ${summary.frames}`);
    console.log('pipeline events', JSON.stringify(events.map((e) => [e.type, e.phase, e.seq, e.track_id, e.evidence.length])));
    for (const e of events) assert.ok(validateMessage('event', e).ok, `${e.type} valid`);
    // One gateway sequence across the camera's analytics: strictly increasing.
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.seq > events[i - 1]!.seq);
    const red = events.filter((e) => e.type === 'red_light');
    assert.ok(red.length >= 1, 'the motorbike that runs the red at ~22.6 s (see the test above) is caught through the pipeline too');
    for (const e of red) {
      assert.equal(e.model?.name, 'yolox-nano');
      assert.equal(e.evidence.length, 4);
      assert.ok(e.track_id !== undefined);
    }
    // Counts for telemetry: riders going up over the stop line during those 25 s.
    const counts = made[0]!.takeCounts();
    console.log('counts', JSON.stringify(counts));
    assert.ok(validateMessage('telemetry', exampleTelemetry({ counts })).ok);
    assert.ok((counts.find((c) => c.line === 'stop-lth' && c.class === 'motorbike')?.count ?? 0) >= 2);
  } finally {
    await detector.close();
    rmSync(evidenceDir, { recursive: true, force: true });
  }
});
