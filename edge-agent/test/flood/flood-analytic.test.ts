import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMessage, type CameraConfig } from '@vigil/contracts';
import { GAUGE_MARKS } from '@vigil/demo';
import { DepthSeries, FloodAnalytic, FloodLevelTracker, type WaterMask } from '../../src/analytics/flood/index.js';
import { CameraEvents, GatewaySequence } from '../../src/pipeline/events.js';

const cameraEvents = () => new CameraEvents('hue', 'gw-1', 'kim-long-gauge', new GatewaySequence());

test('levels rise at their thresholds and fall only past the hysteresis band, so they never flap', () => {
  const tracker = new FloodLevelTracker({ watch: 10, warning: 30, danger: 50 }, 3);
  const seen = [9.9, 10, 9, 7.5, 10.5, 8, 6.9, 29, 31, 28, 27.1, 26.9, 55, 48, 47.5, 46.9, 0].map((d) => tracker.update(d));
  assert.deepEqual(seen, [
    'normal', 'watch', 'watch', 'watch', 'watch', 'watch', 'normal', 'watch', 'warning', 'warning', 'warning', 'watch', 'danger', 'danger', 'danger', 'warning', 'normal',
  ]);
  // a depth hovering around a threshold with ±2 cm of noise: one change, not dozens
  const hover = new FloodLevelTracker({ watch: 10, warning: 30, danger: 50 }, 3);
  let changes = 0;
  let last = hover.level;
  for (let i = 0; i < 200; i++) {
    const level = hover.update(30 + 2 * Math.sin(i * 1.7));
    if (level !== last) changes++;
    last = level;
  }
  // the first sample (30) jumps straight to warning; 28..32 never leaves it (it would need < 27)
  assert.equal(changes, 1);
});

test('depth series: median over the window rejects a one-sample spike; rate of rise in cm/h', () => {
  const series = new DepthSeries(5);
  const t0 = Date.UTC(2026, 10, 22, 3);
  const out = [10, 11, 80, 12, 13].map((d, i) => series.push(t0 + i * 600_000, d));
  assert.equal(out[2], 11);
  assert.equal(out[4], 12);
  // unreadable samples are gaps: a lone reading among them gives no depth
  const gaps = new DepthSeries(3);
  assert.deepEqual([null, null, 40, null, 41, 42].map((d, i) => gaps.push(t0 + i * 10_000, d)), [null, null, null, null, 40.5, 41.5]);
  const steady = new DepthSeries(1);
  for (let i = 0; i <= 6; i++) steady.push(t0 + i * 300_000, 20 + i * 1.5); // 1.5 cm per 5 min
  assert.ok(Math.abs(steady.rateCmPerHour()! - 18) < 1e-6);
});

const camera = (flood: Record<string, unknown> = {}): CameraConfig =>
  ({
    id: 'kim-long-gauge',
    enabled: true,
    source: { url: 'x.mp4', transport: 'tcp', timeout_s: 10, loop: false, realtime: false, hwaccel: [] },
    detect: { width: 640, height: 360, fps: 5 },
    motion: { enabled: true, sensitivity: 0.5, masks: [] },
    health: { stall_s: 20, frozen_s: 60, tamper_s: 30 },
    zones: [{ id: 'road', kind: 'flood_area', polygon: [[0, 0.8], [1, 0.8], [1, 1], [0, 1]] }],
    lines: [],
    gauges: [{ id: 'staff', marks: GAUGE_MARKS, width: 0.02 }],
    analytics: {
      flood: { gauge: 'staff', area_zone: 'road', levels_cm: { watch: 10, warning: 30, danger: 50 }, hysteresis_cm: 3, sample_every_s: 10, smoothing_samples: 3, ...flood },
    },
  }) as CameraConfig;

/** A water mask with water below the gauge's y for depthCm on the demo's staff (0 cm at y 0.82, 100 cm at 0.22). */
function maskAt(depthCm: number, w = 128, h = 72): WaterMask {
  const y = depthCm <= 0 ? 2 : 0.82 - 0.6 * (depthCm / 100);
  const data = new Float32Array(w * h);
  for (let r = 0; r < h; r++) for (let x = 0; x < w; x++) data[r * w + x] = (r + 0.5) / h >= y ? 0.95 : 0.02;
  return { width: w, height: h, data };
}

test('flood analytic: one incident per flood, start/update/end on level changes, valid events and telemetry', () => {
  const analytic = FloodAnalytic.fromCamera(camera())!;
  const events0 = cameraEvents();
  const t0 = Date.UTC(2026, 10, 22, 3);
  const depths = [0, 2, 12, 14, 15, 33, 35, 36, 31, 29, 28, 25, 12, 9, 5, 2, 1, 0];
  const samples = depths.map((d, i) => analytic.sample(t0 + i * 10_000, undefined, maskAt(d), events0));
  const events = samples.flatMap((s) => s.events);
  assert.deepEqual(events.map((e) => `${e.phase}:${e.attributes.level}`), ['start:watch', 'update:warning', 'update:watch', 'end:normal']);
  assert.equal(new Set(events.map((e) => e.incident)).size, 1);
  assert.deepEqual(events.map((e) => e.seq), [0, 1, 2, 3]);
  for (const e of events) {
    const checked = validateMessage('event', e);
    assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.issues));
    assert.equal(e.attributes.gauge_visible, true);
    assert.equal(e.attributes.gauge, 'staff');
    assert.equal(e.zone, 'road');
  }
  assert.ok(events[1]!.attributes.rate_cm_per_h! > 0, 'rising at the warning update');
  assert.ok(events[3]!.ended_at);
  for (const s of samples) {
    assert.equal(typeof s.telemetry.water_level_cm, 'number');
    assert.ok(s.telemetry.flooded_ratio !== undefined && s.telemetry.flooded_ratio >= 0 && s.telemetry.flooded_ratio <= 1);
  }
  // at 35 cm the water covers the whole road zone (y > 0.8 ⇔ depth > ~3 cm): flooded share 1
  assert.equal(samples[6]!.telemetry.flooded_ratio, 1);
  assert.equal(samples[0]!.telemetry.flooded_ratio, 0);
});

test('flood analytic: an unreadable gauge reports null depth, holds the level and raises nothing', () => {
  const analytic = FloodAnalytic.fromCamera(camera({ smoothing_samples: 1 }))!;
  const t0 = Date.UTC(2026, 10, 22, 3);
  assert.equal(analytic.sample(t0, undefined, maskAt(40), cameraEvents()).telemetry.level, 'warning');
  const blind = analytic.sample(t0 + 10_000, undefined, maskAt(200), cameraEvents()); // water over the top of the gauge
  assert.equal(blind.telemetry.water_level_cm, null);
  assert.equal(blind.telemetry.level, 'warning');
  assert.deepEqual(blind.events, []);
  assert.equal(blind.reading?.visible, false);
});

test('flood analytic samples on its period, with or without motion', () => {
  const analytic = FloodAnalytic.fromCamera(camera({ sample_every_s: 10 }))!;
  const t0 = Date.UTC(2026, 10, 22, 3);
  const taken: number[] = [];
  for (let ms = 0; ms < 600_000; ms += 200) {
    if (analytic.due(t0 + ms)) {
      analytic.sample(t0 + ms, undefined, maskAt(5), cameraEvents());
      taken.push(ms);
    }
  }
  // once every 10 s, never drifting: 0, 9 s (a tenth early is on time), 19 s ... 599 s
  assert.equal(taken.length, 61);
  assert.equal(taken[60], 599_000);
  for (let i = 1; i < taken.length; i++) assert.ok(taken[i]! - taken[i - 1]! >= 9_000 && taken[i]! - taken[i - 1]! <= 10_000);
});

test('flood analytic names a missing gauge in the config', () => {
  const bad = camera({ gauge: 'nope' });
  assert.throws(() => FloodAnalytic.fromCamera(bad), /gauge "nope" is not among its gauges/);
});
