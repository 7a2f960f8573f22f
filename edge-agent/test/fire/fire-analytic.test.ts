import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMessage, type ZoneConfig } from '@vigil/contracts';
import { FireAnalytic, KOfNConfirmation, type FireConfig, type FireDetection } from '../../src/analytics/fire/index.js';
import { CameraEvents, GatewaySequence } from '../../src/pipeline/events.js';

const config = (over: Partial<FireConfig> = {}): FireConfig => ({ zones: [], confirm_k: 3, confirm_n: 5, cooldown_s: 600, sample_every_s: 1, ...over });
const flame = (x = 0.4, y = 0.5, s = 0.05, score = 0.8): FireDetection => ({ label: 'fire', score, box: { x1: x, y1: y, x2: x + s, y2: y + s } });
const smoke = (x = 0.4, y = 0.3, s = 0.1): FireDetection => ({ label: 'smoke', score: 0.7, box: { x1: x, y1: y, x2: x + s, y2: y + s } });

/** Feeds one detection list per second from t0; returns the events with the second they came at. */
function run(analytic: FireAnalytic, frames: FireDetection[][], t0 = Date.UTC(2026, 5, 10, 3), events = cameraEvents()) {
  return frames.flatMap((dets, i) => analytic.observe(t0 + i * 1000, dets, events).map((e) => ({ second: i, e })));
}
const cameraEvents = () => new CameraEvents('hue', 'gw-1', 'cam-1', new GatewaySequence());

test('k of n: a box is confirmed when overlapping boxes appear in k of the last n frames', () => {
  const c = new KOfNConfirmation(3, 5);
  const b = flame().box;
  assert.equal(c.push([b]).confirmed.length, 0);
  assert.equal(c.push([]).confirmed.length, 0);
  assert.equal(c.push([{ ...b, x1: b.x1 + 0.01 }]).confirmed.length, 0);
  assert.equal(c.push([b]).confirmed.length, 1, '3 of the last 4');
  // the same count spread over the image does not confirm
  const scattered = new KOfNConfirmation(3, 5);
  for (const x of [0.1, 0.3, 0.5, 0.7, 0.9]) assert.equal(scattered.push([flame(x).box]).confirmed.length, 0);
  // a box seen k times but more than n frames apart does not confirm
  const slow = new KOfNConfirmation(3, 5);
  const seen = [[b], [], [], [], [], [b], [], [], [], [], [b]].map((f) => slow.push(f).confirmed.length);
  assert.deepEqual(seen.filter((n) => n > 0), []);
});

test('fire: confirmation before start, one incident with updates, an end after n quiet frames, all valid', () => {
  const analytic = new FireAnalytic(config(), [], { updateEveryS: 5 });
  const frames = [[], [flame()], [], [flame()], [flame()], ...Array.from({ length: 10 }, () => [flame(0.4, 0.5, 0.05)]), [], [], [], [], [], [], []];
  const out = run(analytic, frames);
  assert.deepEqual(out.map(({ second, e }) => `${second}:${e.phase}:${e.type}`), ['4:start:fire', '9:update:fire', '14:update:fire', '19:end:fire']);
  assert.equal(new Set(out.map(({ e }) => e.incident)).size, 1);
  for (const { e } of out) assert.ok(validateMessage('event', e).ok);
  const start = out[0]!.e;
  assert.equal(start.attributes.frames_confirmed, 3);
  assert.equal(start.attributes.frames_window, 5);
  assert.equal(start.boxes[0]!.label, 'fire');
  assert.equal(start.zone, undefined, 'whole frame');
});

test('single-frame glints and scattered detections never start an incident', () => {
  const analytic = new FireAnalytic(config(), []);
  const frames = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? [flame(0.05 + (i % 9) * 0.1, 0.2)] : []));
  assert.deepEqual(run(analytic, frames), []);
});

const zones: ZoneConfig[] = [
  { id: 'pine-hill', kind: 'forest', polygon: [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]] },
  { id: 'rice', kind: 'field', polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] },
  { id: 'town', kind: 'urban', polygon: [[0.5, 0], [1, 0], [1, 0.5], [0.5, 0.5]] },
  { id: 'chimney', kind: 'mask', polygon: [[0.7, 0.1], [0.8, 0.1], [0.8, 0.3], [0.7, 0.3]] },
];

test('zone kind types the incident; field fires are straw burning only in season and hours', () => {
  const season = { months: [6, 10], hours: [8, 18] as [number, number] };
  const typeAt = (x: number, y: number, when: number) => {
    const a = new FireAnalytic(config({ zones: ['pine-hill', 'rice', 'town'], burning_season: season }), zones, { timeZone: 'Asia/Ho_Chi_Minh' });
    const out = run(a, Array.from({ length: 4 }, () => [flame(x, y)]), when);
    return out.map(({ e }) => `${e.type}@${e.zone}`);
  };
  const juneMorning = Date.UTC(2026, 5, 10, 3); // 10:00 in Hanoi
  const juneNight = Date.UTC(2026, 5, 10, 14); // 21:00
  const march = Date.UTC(2026, 2, 10, 3);
  assert.deepEqual(typeAt(0.2, 0.2, juneMorning), ['forest_fire@pine-hill']);
  assert.deepEqual(typeAt(0.3, 0.7, juneMorning), ['straw_burning@rice']);
  assert.deepEqual(typeAt(0.3, 0.7, juneNight), ['fire@rice']);
  assert.deepEqual(typeAt(0.3, 0.7, march), ['fire@rice']);
  assert.deepEqual(typeAt(0.6, 0.35, juneMorning), ['fire@town']);
});

test('masks drop known false sources; smoke alone is smoke; smoke turning to flames escalates', () => {
  const a = new FireAnalytic(config({ zones: ['pine-hill', 'town'] }), zones);
  // the chimney's smoke and its glow sit in the mask: nothing
  assert.deepEqual(run(a, Array.from({ length: 10 }, () => [smoke(0.72, 0.15, 0.05), flame(0.73, 0.2, 0.03)])), []);
  const b = new FireAnalytic(config({ zones: ['pine-hill'] }), zones);
  const frames = [...Array.from({ length: 4 }, () => [smoke(0.1, 0.1)]), ...Array.from({ length: 4 }, () => [smoke(0.1, 0.1), flame(0.15, 0.3)])];
  const out = run(b, frames);
  assert.deepEqual(out.map(({ second, e }) => `${second}:${e.phase}:${e.type}`), ['2:start:smoke', '6:end:smoke', '6:start:forest_fire']);
  assert.notEqual(out[0]!.e.incident, out[2]!.e.incident);
});

test('cool-down: a field that flares up again within cooldown_s raises no new alert; after it, it does', () => {
  const a = new FireAnalytic(config({ zones: ['rice'], cooldown_s: 120 }), zones, { updateEveryS: 1000 });
  const burst = (n: number) => Array.from({ length: n }, () => [flame(0.3, 0.7)]);
  const quiet = (n: number) => Array.from({ length: n }, () => [] as FireDetection[]);
  const out = run(a, [...burst(6), ...quiet(10), ...burst(6), ...quiet(120), ...burst(6)]);
  assert.deepEqual(out.map(({ second, e }) => `${second}:${e.phase}`), ['2:start', '10:end', '144:start']);
});

test('finish ends open incidents; unknown zones are named', () => {
  const a = new FireAnalytic(config(), []);
  const events = cameraEvents();
  run(a, Array.from({ length: 4 }, () => [flame()]), undefined, events);
  const end = a.finish(Date.UTC(2026, 5, 10, 4), events);
  assert.equal(end.length, 1);
  assert.equal(end[0]!.phase, 'end');
  assert.throws(() => new FireAnalytic(config({ zones: ['nope'] }), zones), /zone "nope" is not among/);
  assert.throws(() => new FireAnalytic(config({ zones: ['chimney'] }), zones), /is a mask zone/);
});

test('an open incident gets an update when the flames more than double, before the periodic update is due', () => {
  const a = new FireAnalytic(config(), [], { updateEveryS: 600 });
  const frames = [...Array.from({ length: 4 }, () => [flame(0.4, 0.5, 0.05)]), [flame(0.4, 0.5, 0.06)], [flame(0.4, 0.5, 0.1)], [flame(0.4, 0.5, 0.1)]];
  const out = run(a, frames);
  assert.deepEqual(out.map(({ second, e }) => `${second}:${e.phase}`), ['2:start', '5:update']);
  assert.ok(out[1]!.e.attributes.fire_area_ratio! > 2 * out[0]!.e.attributes.fire_area_ratio!);
});

test('frame-wide smoke boxes (haze) are dropped, as Pyronear drops boxes wider than 40% of the frame; frame-wide flames are kept', () => {
  const a = new FireAnalytic(config(), []);
  const haze: FireDetection = { label: 'smoke', score: 0.8, box: { x1: 0.08, y1: 0.1, x2: 0.85, y2: 0.93 } };
  assert.deepEqual(run(a, Array.from({ length: 20 }, () => [haze])), []);
  const wide = new FireAnalytic(config(), [], { maxSmokeWidth: 1 });
  assert.deepEqual(run(wide, Array.from({ length: 4 }, () => [haze])).map(({ e }) => e.type), ['smoke']);
  const closeFire = new FireAnalytic(config(), []);
  assert.deepEqual(run(closeFire, Array.from({ length: 4 }, () => [{ ...haze, label: 'fire' }])).map(({ e }) => e.type), ['fire']);
});
