import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LampClassifier, type RgbImage } from '../../src/analytics/traffic/signal/lamp-colour.js';
import { VideoSignalSource } from '../../src/analytics/traffic/signal/video-signal.js';
import type { Point } from '../../src/geometry/index.js';

const W = 160;
const H = 120;
// The head occupies x 100-120, y 20-80; the ROI is drawn a little loose around it, as people do.
const ROI: Point[] = [
  [95 / W, 15 / H],
  [125 / W, 15 / H],
  [125 / W, 85 / H],
  [95 / W, 85 / H],
];
type Lit = 'red' | 'amber' | 'green' | 'off';
const LAMP_RGB = { red: [255, 45, 35], amber: [255, 150, 20], green: [40, 235, 205] } as const; // LED green renders cyan

/** Deterministic noise so runs are repeatable. */
function noise(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2;
}

/** A street scene with a three-lamp head; `gain` scales everything (night), `glare` adds a white headlight blob. */
function frame(lit: Lit, opts: { gain?: number; seed?: number; glare?: boolean } = {}): RgbImage {
  const gain = opts.gain ?? 1;
  const rnd = noise(opts.seed ?? 1);
  const data = new Uint8Array(W * H * 3);
  const put = (x: number, y: number, rgb: readonly number[]) => {
    for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! * gain + rnd() * 6)));
  };
  const lamps: [Exclude<Lit, 'off'>, number][] = [
    ['red', 30],
    ['amber', 50],
    ['green', 70],
  ];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let rgb: readonly number[] = [125, 128, 120]; // road and buildings
      if (x >= 100 && x < 120 && y >= 20 && y < 80) {
        rgb = [28, 28, 30]; // housing
        for (const [colour, cy] of lamps) {
          if (Math.hypot(x - 110, y - cy) <= 7) rgb = lit === colour ? LAMP_RGB[colour] : [55, 45, 42];
        }
      }
      if (opts.glare && Math.hypot(x - 98, y - 60) < 6) rgb = [255, 250, 235];
      put(x, y, rgb);
    }
  }
  return { width: W, height: H, data };
}

test('lamp classifier: each lamp by day and dimmed to night level; off and glare are not a colour', () => {
  const c = new LampClassifier(ROI);
  for (const colour of ['red', 'amber', 'green'] as const) {
    assert.equal(c.classify(frame(colour)).colour, colour, `${colour} by day`);
    assert.equal(c.classify(frame(colour, { gain: 0.3 })).colour, colour, `${colour} at night`);
  }
  assert.equal(c.classify(frame('off')).colour, 'off');
  assert.equal(c.classify(frame('off', { gain: 0.3 })).colour, 'off');
  assert.equal(c.classify(frame('off', { glare: true })).colour, 'off');
});

/** red 0-10 s, green 10-20 s, amber 20-23 s, red 23-30 s, at 5 fps. */
function phaseAt(t: number): Exclude<Lit, 'off'> {
  if (t < 10) return 'red';
  if (t < 20) return 'green';
  if (t < 23) return 'amber';
  return 'red';
}

// Frame 50 (10.0 s) is a flicker-off frame, so green is first seen at 10.2 s.
const EXPECTED = [
  { at: 0, phase: 'red' },
  { at: 10_200, phase: 'green' },
  { at: 20_000, phase: 'amber' },
  { at: 23_000, phase: 'red' },
];

for (const [name, gain] of [
  ['day', 1],
  ['night', 0.3],
] as const) {
  test(`video signal (${name}): flicker, a glare frame and noise do not change the phase; changes are dated to their first frame`, () => {
    const source = new VideoSignalSource(ROI);
    for (let f = 0; f < 150; f++) {
      const t = f / 5;
      // LED beat: every third frame the lamp looks off; one frame in red has a headlight and the lamp hidden.
      let lit: Lit = f % 3 === 2 ? 'off' : phaseAt(t);
      if (f === 37) lit = 'amber'; // one stray amber frame inside red (reflection)
      source.observe(frame(lit, { gain, seed: f, glare: f === 12 }), t * 1000);
    }
    assert.deepEqual(
      source.changes().map((c) => ({ at: c.at, phase: c.phase })),
      EXPECTED,
    );
    const r = source.phaseAt(26_500);
    assert.equal(r.phase, 'red');
    assert.equal(r.secondsIntoRed, 3.5);
  });
}

test('video signal: a dark head for longer than darkMs is unknown, and red after that starts a new red', () => {
  const source = new VideoSignalSource(ROI, { darkMs: 2000 });
  for (let f = 0; f < 60; f++) {
    const t = f / 5;
    const lit: Lit = t < 4 ? 'red' : t < 8 ? 'off' : 'red';
    source.observe(frame(lit, { seed: f }), t * 1000);
  }
  assert.deepEqual(
    source.changes().map((c) => c.phase),
    ['red', 'unknown', 'red'],
  );
  assert.equal(source.phaseAt(11_000).secondsIntoRed, 3);
});
