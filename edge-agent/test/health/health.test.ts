import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateMessage, type VigilEvent } from '@vigil/contracts';
import { ManualClock } from '@vigil/observe';
import { CameraHealthMonitor, imageStats, type HealthOptions } from '../../src/health/index.js';
import type { GreyImage } from '../../src/motion/grey.js';
import { CameraEvents, GatewaySequence } from '../../src/pipeline/index.js';
import { checkerboard, scene, uniform } from '../motion/synthetic.js';

const T0 = Date.parse('2026-11-22T03:00:00Z');

function monitor(options: Partial<HealthOptions> = {}) {
  const events: VigilEvent[] = [];
  const sequence = new GatewaySequence(41);
  const m = new CameraHealthMonitor(new CameraEvents('hue', 'gw-1', 'cam-1', sequence), { frozenS: 10, tamperS: 5, ...options }, (e) => {
    const v = validateMessage('event', e);
    assert.ok(v.ok, `event fails the contract: ${JSON.stringify(!v.ok && v.issues)}`);
    events.push(e);
  });
  return { m, events };
}

/** Feeds frames at 5 fps from `from` for `seconds`; `image(i)` gives frame i. */
function feed(m: CameraHealthMonitor, from: number, seconds: number, image: (i: number) => GreyImage): number {
  let at = from;
  for (let i = 0; i < seconds * 5; i++, at += 200) m.observeFrame(image(i), at);
  return at;
}

/** A live scene: the textured background with a square moving across it. */
const live = (i: number) => scene(160, 90, { squares: [{ x: (i * 3) % 140, y: 40, size: 10 }] });

test('a healthy moving scene raises nothing', () => {
  const { m, events } = monitor();
  feed(m, T0, 30, live);
  assert.deepEqual(events, []);
  assert.equal(m.state().state, 'ok');
});

test('too dark for tamper_s: camera_tampered starts then ends when light returns', () => {
  const { m, events } = monitor();
  let at = feed(m, T0, 2, live);
  at = feed(m, at, 4.8, () => uniform(5));
  assert.equal(events.length, 0, 'not before tamper_s');
  at = feed(m, at, 1, () => uniform(5));
  assert.equal(events.length, 1);
  const start = events[0]!;
  assert.equal(start.type, 'camera_tampered');
  assert.equal(start.phase, 'start');
  assert.deepEqual(start.attributes, { reason: 'too_dark', metric: 5 });
  assert.equal(start.started_at, new Date(T0 + 2000).toISOString(), 'the incident starts when the condition began');
  assert.equal(start.seq, 41);
  assert.equal(m.state().state, 'too_dark');
  feed(m, at, 3, live);
  assert.equal(events.length, 2);
  const end = events[1]!;
  assert.equal(end.phase, 'end');
  assert.equal(end.incident, start.incident);
  assert.equal(end.seq, 42);
  assert.ok(end.ended_at);
  assert.equal(m.state().state, 'ok');
});

test('covered (uniform but not dark) and blurred are told apart', () => {
  const covered = monitor();
  feed(covered.m, T0, 8, () => uniform(140));
  assert.deepEqual(covered.events.map((e) => e.attributes), [{ reason: 'covered', metric: 0 }]);

  const blurred = monitor();
  let at = feed(blurred.m, T0, 3, () => checkerboard(6));
  at = feed(blurred.m, at, 8, () => checkerboard(6, 4));
  assert.equal(blurred.events.length, 1);
  assert.equal((blurred.events[0]!.attributes as { reason: string }).reason, 'blurred');
  assert.ok(imageStats(checkerboard(6, 4)).sharpness < 0.5 * imageStats(checkerboard(6)).sharpness);
});

test('a frozen picture raises frozen after frozen_s, with the seconds frozen', () => {
  const { m, events } = monitor({ frozenS: 10 });
  const still = scene(160, 90, { squares: [{ x: 30, y: 30, size: 10 }] });
  let at = feed(m, T0, 2, live);
  at = feed(m, at, 9.8, () => still);
  assert.equal(events.length, 0);
  at = feed(m, at, 1, () => still);
  assert.equal(events.length, 1);
  assert.equal((events[0]!.attributes as { reason: string }).reason, 'frozen');
  assert.ok((events[0]!.attributes as { metric: number }).metric >= 10);
  assert.equal(m.state().state, 'frozen');
  feed(m, at, 3, live);
  assert.equal(events.at(-1)!.phase, 'end');
});

test('a flickering condition does not flap: it must stay gone for clearMs', () => {
  const { m, events } = monitor({ clearMs: 2000 });
  let at = feed(m, T0, 6, () => uniform(5));
  assert.equal(events.length, 1);
  for (let k = 0; k < 5; k++) {
    at = feed(m, at, 1, live);
    at = feed(m, at, 0.4, () => uniform(5));
  }
  assert.equal(events.length, 1, 'no end while it keeps coming back');
});

test('offline: camera_offline after the grace period, ended by the first frame', () => {
  const clock = new ManualClock(T0);
  const { m, events } = monitor({ offlineGraceMs: 5000, clock });
  m.observeSource({ camera: 'cam-1', state: 'offline', at: clock.now(), reason: 'timeout', detail: 'rtsp://***@10.0.0.5/s: Connection timed out', restarts: 1 });
  clock.advance(4999);
  assert.equal(events.length, 0);
  m.observeSource({ camera: 'cam-1', state: 'offline', at: clock.now(), reason: 'connection_refused', restarts: 2 });
  clock.advance(1);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'camera_offline');
  assert.deepEqual(events[0]!.attributes, { reason: 'connection_refused', restarts: 2 });
  assert.equal(events[0]!.started_at, new Date(T0).toISOString());
  assert.equal(m.state().state, 'offline');
  clock.advance(60_000);
  m.observeSource({ camera: 'cam-1', state: 'ok', at: clock.now(), restarts: 7 });
  assert.equal(events.length, 2);
  assert.equal(events[1]!.phase, 'end');
  assert.equal(events[1]!.incident, events[0]!.incident);
});

test('a quick reconnect inside the grace period raises nothing', () => {
  const clock = new ManualClock(T0);
  const { m, events } = monitor({ offlineGraceMs: 5000, clock });
  m.observeSource({ camera: 'cam-1', state: 'offline', at: clock.now(), reason: 'exited', restarts: 1 });
  clock.advance(1500);
  m.observeSource({ camera: 'cam-1', state: 'ok', at: clock.now(), restarts: 1 });
  clock.advance(10_000);
  assert.deepEqual(events, []);
});

test('finish() ends open incidents at the given time', () => {
  const { m, events } = monitor();
  const at = feed(m, T0, 6, () => uniform(5));
  m.finish(at);
  assert.deepEqual(events.map((e) => e.phase), ['start', 'end']);
  assert.equal(events[1]!.ended_at, new Date(at).toISOString());
});
