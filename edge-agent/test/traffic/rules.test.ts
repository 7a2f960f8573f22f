import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleTelemetry, validateMessage, type VigilEvent } from '@vigil/contracts';
import { TrafficAnalytics } from '../../src/analytics/traffic/traffic-analytics.js';
import { RecordedSignal } from '../../src/analytics/traffic/signal/signal-state.js';
import { CountingSequence } from '../../src/analytics/traffic/traffic-events.js';
import { drive, junctionCamera, line, merge, type Frame } from './scenario.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const s = (seconds: number) => T0 + seconds * 1000;

/** green 0-10 s, amber 10-13 s, red 13-43 s, green after. */
function signal(): RecordedSignal {
  const sig = new RecordedSignal();
  sig.timeline.record(s(0), 'green');
  sig.timeline.record(s(10), 'amber');
  sig.timeline.record(s(13), 'red');
  sig.timeline.record(s(43), 'green');
  return sig;
}

function run(frames: Frame[], opts: { seqStart?: number } = {}) {
  const analytics = new TrafficAnalytics(junctionCamera(), signal(), { site: 'hanoi', gateway: 'gw-test', sequence: new CountingSequence(opts.seqStart ?? 0) });
  const events: VigilEvent[] = [];
  const counts: ReturnType<TrafficAnalytics['takeCounts']> = [];
  for (const f of frames) for (const j of analytics.observe(f.tracks, f.at)) events.push(analytics.event(j));
  for (const j of analytics.finish()) events.push(analytics.event(j));
  counts.push(...analytics.takeCounts());
  for (const e of events) assert.ok(validateMessage('event', e).ok, `event ${e.type} is valid`);
  // Every incident that started has ended by the end of input: nothing is held for ever.
  assert.equal(analytics.openIncidents(), 0);
  return { events, counts };
}

/** A motorbike riding up lane-in, crossing the stop line (y = 0.5) at `crossS` seconds. */
function rideThrough(id: number, crossS: number): Frame[] {
  // 0.3 of height in 3 s: crosses y=0.5 exactly half way.
  return drive(id, 'motorbike', s(crossS - 1.5), s(crossS + 1.5), line([0.3, 0.65], [0.3, 0.35], s(crossS - 1.5), s(crossS + 1.5)));
}

test('red_light: crossing 7 s into red fires once with the signal state and the interpolated time', () => {
  const { events } = run(rideThrough(5, 20));
  const red = events.filter((e) => e.type === 'red_light');
  assert.equal(red.length, 1);
  const e = red[0]!;
  assert.equal(e.track_id, 5);
  assert.equal(e.zone, 'stop');
  // 0.1 of height per second at 50 m per unit: 18 km/h from the speed calibration.
  assert.deepEqual(e.attributes, { vehicle_class: 'motorbike', speed_kmh: 18, signal_phase: 'red', seconds_into_red: 7, stop_line: 'stop', signal: 'signal-main' });
  assert.equal(e.started_at, new Date(s(20)).toISOString());
  assert.equal(e.phase, 'start');
});

test('red_light: crossing on green or amber does not fire', () => {
  assert.equal(run(rideThrough(1, 5)).events.filter((e) => e.type === 'red_light').length, 0);
  assert.equal(run(rideThrough(2, 11.5)).events.filter((e) => e.type === 'red_light').length, 0);
  assert.equal(run(rideThrough(3, 50)).events.filter((e) => e.type === 'red_light').length, 0);
});

test('red_light: the grace period after red turns on', () => {
  assert.equal(run(rideThrough(1, 13.3)).events.filter((e) => e.type === 'red_light').length, 0, '0.3 s into red is within the 0.5 s grace');
  const late = run(rideThrough(2, 13.8)).events.filter((e) => e.type === 'red_light');
  assert.equal(late.length, 1);
  assert.equal(late[0]!.type === 'red_light' && late[0]!.attributes.seconds_into_red, 0.8);
});

test('red_light: a box jittering on the stop line does not fire; driving on afterwards fires once', () => {
  // Waits at the line on red from 15 s to 25 s with the ground point wobbling +-0.008 around y = 0.5 ...
  const approach = drive(7, 'motorbike', s(13), s(15), line([0.3, 0.7], [0.3, 0.5], s(13), s(15)));
  const wobble = drive(7, 'motorbike', s(15.2), s(25), (at) => [0.3, 0.5 + 0.008 * Math.sin((at - s(15)) / 150)]);
  const waitOnly = run([...approach, ...wobble]).events.filter((e) => e.type === 'red_light');
  assert.equal(waitOnly.length, 0);
  // ... then runs the red at 26 s.
  const go = drive(7, 'motorbike', s(25.2), s(27), line([0.3, 0.5], [0.3, 0.3], s(25.2), s(27)));
  const ran = run([...approach, ...wobble, ...go]).events.filter((e) => e.type === 'red_light');
  assert.equal(ran.length, 1);
});

test('red_light: U-turns near the line do not fire', () => {
  // Approaches on red, stops short of clear crossing, turns back.
  const uturn = drive(8, 'motorbike', s(20), s(26), (at) => {
    const k = (at - s(20)) / 6000;
    return [0.3 + 0.1 * k, 0.7 - 0.205 * Math.sin(Math.PI * k)]; // reaches y = 0.495: past the line, not clearly
  });
  assert.equal(run(uturn).events.filter((e) => e.type === 'red_light').length, 0);
  // Enters on green, U-turns in the junction and comes back over the line during red: leaving, not entering.
  const back = merge(
    drive(9, 'motorbike', s(5), s(8), line([0.3, 0.65], [0.3, 0.35], s(5), s(8))),
    drive(9, 'motorbike', s(8.2), s(20), line([0.35, 0.35], [0.6, 0.7], s(8.2), s(20))),
  );
  assert.equal(run(back).events.filter((e) => e.type === 'red_light').length, 0);
});

test('wrong_way: riding against the lane for the configured distance fires once; U-turn out of the lane does not', () => {
  const against = run(drive(11, 'motorbike', s(0), s(4), line([0.3, 0.55], [0.3, 0.95], s(0), s(4))));
  const ww = against.events.filter((e) => e.type === 'wrong_way');
  assert.equal(ww.length, 1);
  assert.equal(ww[0]!.zone, 'lane-in');
  assert.ok(ww[0]!.type === 'wrong_way' && ww[0]!.attributes.distance_ratio! >= 0.1);

  const withFlow = run(drive(12, 'motorbike', s(0), s(4), line([0.3, 0.95], [0.3, 0.55], s(0), s(4))));
  assert.equal(withFlow.events.filter((e) => e.type === 'wrong_way').length, 0);

  // Goes up lane-in, turns around (back 0.06 of height, under 0.1 x diagonal) and crosses into lane-out.
  const uturn = merge(
    drive(13, 'motorbike', s(0), s(3), line([0.3, 0.95], [0.3, 0.65], s(0), s(3))),
    drive(13, 'motorbike', s(3.2), s(6), line([0.32, 0.66], [0.7, 0.72], s(3.2), s(6))),
    drive(13, 'motorbike', s(6.2), s(9), line([0.7, 0.72], [0.7, 0.95], s(6.2), s(9))),
  );
  assert.equal(run(uturn).events.filter((e) => e.type === 'wrong_way').length, 0);
});

test('illegal_stopping: start after the limit, end when the car leaves, one incident', () => {
  const arrive = drive(21, 'car', s(0), s(2), line([0.7, 0.95], [0.7, 0.7], s(0), s(2)));
  const stand = drive(21, 'car', s(2.2), s(72), (at) => [0.7 + 0.001 * Math.sin(at / 700), 0.7]);
  const leave = drive(21, 'car', s(72.2), s(74), line([0.7, 0.7], [0.7, 0.95], s(72.2), s(74)));
  const { events } = run([...arrive, ...stand, ...leave]);
  const stops = events.filter((e) => e.type === 'illegal_stopping');
  assert.deepEqual(
    stops.map((e) => e.phase),
    ['start', 'end'],
  );
  const [start, end] = stops as [VigilEvent & { type: 'illegal_stopping' }, VigilEvent & { type: 'illegal_stopping' }];
  assert.equal(start.incident, end.incident);
  assert.notEqual(start.id, end.id);
  assert.equal(start.zone, 'bus-stop');
  assert.equal(start.attributes.stopped_s, 60);
  // Still from 2 s (arrived) to 72.2 s (the first frame of leaving is still at the same spot).
  assert.equal(end.attributes.stopped_s, 70.2);
  assert.equal(end.ended_at, new Date(s(72.2)).toISOString());

  const brief = run([...arrive, ...drive(22, 'car', s(2.2), s(40), () => [0.7, 0.7])]);
  assert.equal(brief.events.filter((e) => e.type === 'illegal_stopping').length, 0);
});

test('illegal_stopping: a car lost while stopped closes its incident at the last frame it was seen', () => {
  const frames = [...drive(23, 'car', s(0), s(65), () => [0.6, 0.65]), ...drive(99, 'motorbike', s(65.2), s(75), line([0.2, 0.9], [0.2, 0.6], s(65.2), s(75)))];
  const stops = run(frames).events.filter((e) => e.type === 'illegal_stopping');
  assert.deepEqual(
    stops.map((e) => [e.phase, e.frame_at]),
    [
      ['start', new Date(s(60)).toISOString()],
      ['end', new Date(s(65)).toISOString()],
    ],
  );
});

test('lane_violation: a car in the motorbike lane and a motorbike on the sidewalk; allowed users do not fire', () => {
  const { events } = run(
    merge(
      drive(31, 'car', s(0), s(3), line([0.3, 0.95], [0.3, 0.6], s(0), s(3))),
      drive(32, 'motorbike', s(0), s(3), line([0.95, 0.9], [0.95, 0.5], s(0), s(3))),
      drive(33, 'motorbike', s(0), s(3), line([0.2, 0.95], [0.2, 0.6], s(0), s(3))),
      drive(34, 'person', s(0), s(3), line([0.93, 0.9], [0.93, 0.6], s(0), s(3))),
    ),
  );
  const lv = events.filter((e) => e.type === 'lane_violation').map((e) => [e.track_id, e.zone, e.attributes]);
  assert.deepEqual(lv, [
    // Speeds from the calibration: 0.35 and 0.4 of height in 3 s at 50 m per unit.
    [31, 'lane-in', { vehicle_class: 'car', speed_kmh: 21, zone_kind: 'lane', allowed_classes: ['motorbike', 'bicycle'] }],
    [32, 'sidewalk-east', { vehicle_class: 'motorbike', speed_kmh: 24, zone_kind: 'sidewalk', allowed_classes: ['person'] }],
  ]);
});

test('speeding: 54 km/h in a 40 zone fires with the measured speed; 27 km/h does not', () => {
  // 50 m per unit of y: 0.06 per 200 ms = 15 m/s = 54 km/h; 0.03 per 200 ms = 27 km/h.
  const fast = run(drive(41, 'car', s(0), s(2.6), line([0.7, 0.1], [0.7, 0.88], s(0), s(2.6))));
  const sp = fast.events.filter((e) => e.type === 'speeding');
  assert.equal(sp.length, 1);
  assert.ok(sp[0]!.type === 'speeding' && Math.abs(sp[0]!.attributes.speed_kmh - 54) < 0.5, JSON.stringify(sp[0]!.attributes));
  assert.equal(sp[0]!.type === 'speeding' && sp[0]!.attributes.limit_kmh, 40);
  const slow = run(drive(42, 'car', s(0), s(5), line([0.7, 0.1], [0.7, 0.85], s(0), s(5))));
  assert.equal(slow.events.filter((e) => e.type === 'speeding').length, 0);
});

test('counts per line and class: each road user once, jitter and U-turns on the line included', () => {
  const { counts } = run(
    merge(
      drive(51, 'motorbike', s(0), s(2), line([0.2, 0.95], [0.2, 0.6], s(0), s(2))),
      drive(52, 'motorbike', s(0), s(2), line([0.3, 0.95], [0.3, 0.6], s(0), s(2))),
      drive(53, 'car', s(0), s(2), line([0.4, 0.95], [0.4, 0.6], s(0), s(2))),
      // Crosses, wobbles on the line, crosses back (U-turn) and again: still one motorbike.
      drive(54, 'motorbike', s(0), s(8), (at) => [0.25, 0.8 - 0.05 * Math.sin((at - s(0)) / 800)]),
      // Never reaches the line.
      drive(55, 'motorbike', s(0), s(2), line([0.45, 0.95], [0.45, 0.85], s(0), s(2))),
    ),
  );
  // The counts are the telemetry's `counts` as they are.
  assert.ok(validateMessage('telemetry', exampleTelemetry({ counts })).ok);
  const sorted = [...counts].sort((a, b) => a.class.localeCompare(b.class));
  assert.deepEqual(sorted, [
    { line: 'count-in', class: 'car', count: 1 },
    { line: 'count-in', class: 'motorbike', count: 3 },
  ]);
});

test('events carry the injected sequence, ULIDs in time order and the speed when calibrated', () => {
  const { events } = run(merge(rideThrough(61, 20), rideThrough(62, 25)), { seqStart: 1000 });
  const red = events.filter((e) => e.type === 'red_light');
  assert.deepEqual(
    red.map((e) => e.seq),
    [1000, 1001],
  );
  assert.ok(red[0]!.id < red[1]!.id);
  // 0.3 of height in 3 s at x=0.3: outside the calibrated rectangle (x 0.5-0.9) the homography still
  // extends, so a speed is attached: 0.1/s * 50 m = 5 m/s = 18 km/h.
  assert.ok(red[0]!.type === 'red_light' && Math.abs(red[0]!.attributes.speed_kmh! - 18) < 1, JSON.stringify(red[0]!.attributes));
});
