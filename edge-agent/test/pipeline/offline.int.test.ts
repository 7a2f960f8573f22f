import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError, checkConfigText, validateMessage, type GatewayConfig, type VigilEvent } from '@vigil/contracts';
import { ffmpegSkip, makeClip } from '@vigil/testkit';
import { runCameraOffline, type Analytic } from '../../src/pipeline/index.js';
import { renderClip } from '../clips.js';

function config(extra = ''): GatewayConfig {
  const text = `version: 1
site: hue
gateway: gw-1
cameras:
  - id: other
    source: { url: rtsp://10.0.0.1/x, transport: tcp }
  - id: cam-1
    source: { url: rtsp://10.0.0.2/x, transport: tcp }
    detect: { width: 320, height: 180, fps: 5 }
    health: { frozen_s: 4, tamper_s: 3 }
${extra}`;
  const r = checkConfigText(text, 'test.yaml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.config;
}

async function run(input: string, options: { analytics?: Analytic[]; extra?: string } = {}) {
  const events: VigilEvent[] = [];
  const summary = await runCameraOffline({
    config: config(options.extra),
    cameraId: 'cam-1',
    input,
    analytics: (options.analytics ?? []).map((a) => () => a),
    emit: (e) => {
      const v = validateMessage('event', e);
      assert.ok(v.ok, `not a valid contract event: ${JSON.stringify(!v.ok && v.issues)}`);
      events.push(e);
    },
  });
  return { events, summary };
}

const tamper = (events: VigilEvent[]) => events.filter((e) => e.type === 'camera_tampered').map((e) => `${e.phase}:${(e.attributes as { reason: string }).reason}`);

test('a moving scene: motion on most frames, no health events', { skip: ffmpegSkip() }, async () => {
  const { events, summary } = await run(makeClip({ seconds: 6, width: 320, height: 180, fps: 10 }));
  assert.equal(summary.camera, 'cam-1');
  assert.equal(summary.frames, 30);
  assert.ok(summary.motionFrames >= 20, `motion on ${summary.motionFrames} frames`);
  assert.deepEqual(events, []);
  assert.equal(summary.health, 'ok');
});

test('a frozen stream (colour bars that never change) raises camera_tampered frozen', { skip: ffmpegSkip() }, async () => {
  const { events, summary } = await run(renderClip('smptebars', 'smptebars=size=320x180:rate=10', 8));
  assert.deepEqual(tamper(events), ['start:frozen', 'end:frozen']);
  assert.equal(summary.health, 'frozen');
  assert.equal(summary.motionFrames, 0);
  const [start, end] = events;
  assert.equal(start!.incident, end!.incident);
  assert.deepEqual([start!.seq, end!.seq], [0, 1]);
  // the incident starts at the first repeated frame and is raised by the frame frozen_s (4 s) later
  assert.equal(Date.parse(start!.frame_at) - Date.parse(start!.started_at), 4000);
  assert.ok((start!.attributes as { metric: number }).metric >= 4);
});

test('a covered lens (flat grey) and a dark one raise covered and too_dark', { skip: ffmpegSkip() }, async () => {
  const covered = await run(renderClip('grey', 'color=c=0x8c8c8c:size=320x180:rate=10', 6));
  assert.deepEqual(tamper(covered.events), ['start:covered', 'end:covered'], 'a flat picture is covered, not also frozen');
  assert.equal(covered.summary.health, 'covered');
  const dark = await run(renderClip('dim', 'testsrc2=size=320x180:rate=10,colorlevels=romax=0.05:gomax=0.05:bomax=0.05', 6));
  assert.deepEqual(tamper(dark.events), ['start:too_dark', 'end:too_dark']);
  assert.equal(dark.summary.health, 'too_dark');
});

test('a camera that goes dark half way: ok first, then too_dark from the first dark frame', { skip: ffmpegSkip() }, async () => {
  const { events, summary } = await run(renderClip('goes-dark', 'testsrc2=size=320x180:rate=10,fade=t=out:st=4:d=0.2', 10));
  assert.deepEqual(tamper(events), ['start:too_dark', 'end:too_dark']);
  const start = events[0]!;
  // frames carry video time; the last one (where finish() ends the incident) is videoSeconds in
  const firstFrameAt = Date.parse(events[1]!.ended_at!) - Math.round(summary.videoSeconds * 1000);
  const darkFrom = (Date.parse(start.started_at) - firstFrameAt) / 1000;
  assert.ok(darkFrom >= 4 && darkFrom <= 4.4, `dark from ${darkFrom} s (the fade ends at 4.2 s)`);
  assert.equal(Date.parse(start.frame_at) - Date.parse(start.started_at), 3000, 'raised after tamper_s');
});

test('analytics: motion-gated ones see motion frames only; periodic ones sample a still scene', { skip: ffmpegSkip() }, async () => {
  const seen = { motion: 0, periodic: 0 };
  const motion: Analytic = { name: 'motion', gate: { kind: 'motion' }, analyse: () => (seen.motion++, []) };
  const periodic: Analytic = { name: 'periodic', gate: { kind: 'periodic', everyMs: 2000 }, analyse: () => (seen.periodic++, []) };
  await run(renderClip('smptebars', 'smptebars=size=320x180:rate=10', 8), { analytics: [motion, periodic] });
  assert.equal(seen.motion, 0);
  assert.equal(seen.periodic, 4, 'at 0, 2, 4 and 6 s of an 8 s still clip'); // 40 frames at 5 fps
});

test('an unreadable file: camera_offline is written, then a clear error', { skip: ffmpegSkip() }, async () => {
  const events: VigilEvent[] = [];
  await assert.rejects(
    runCameraOffline({ config: config(), cameraId: 'cam-1', input: '/nonexistent/cam.mp4', emit: (e) => events.push(e) }),
    (err: unknown) => err instanceof VigilError && err.code === 'VIGIL_ERR_SOURCE_FAILED' && /No such file or directory/.test(err.message),
  );
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'camera_offline');
  assert.equal((events[0]!.attributes as { reason: string }).reason, 'not_found');
  assert.ok(validateMessage('event', events[0]).ok);
});

test('an unknown --camera-id names the cameras in the file', async () => {
  await assert.rejects(runCameraOffline({ config: config(), cameraId: 'nope', input: 'x.mp4', emit: () => {} }), /camera "nope" is not in the config; its cameras are: other, cam-1/);
});
