import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTracker, mergeRiders, roadClassOf, type Detection } from '../../src/track/index.js';

const FRAME_MS = 200; // 5 fps, the rate the edge agent analyses traffic at

function box(cx: number, cy: number, w: number, h: number) {
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}

/** Ids reported per frame for the object whose centre is nearest `at` (or undefined when not reported). */
function idNear(tracks: { id: number; box: { x1: number; x2: number; y1: number; y2: number } }[], cx: number, cy: number) {
  let best: number | undefined;
  let bestD = 0.05;
  for (const t of tracks) {
    const d = Math.hypot((t.box.x1 + t.box.x2) / 2 - cx, (t.box.y1 + t.box.y2) / 2 - cy);
    if (d < bestD) {
      bestD = d;
      best = t.id;
    }
  }
  return best;
}

test('COCO labels map to road classes; others are not tracked', () => {
  assert.equal(roadClassOf('motorcycle'), 'motorbike');
  assert.equal(roadClassOf('Car'), 'car');
  assert.equal(roadClassOf('traffic light'), undefined);
  const tracker = new ByteTracker();
  for (let f = 0; f < 5; f++) tracker.update([{ box: box(0.5, 0.5, 0.1, 0.1), label: 'traffic light', score: 0.9 }], f * FRAME_MS);
  assert.equal(tracker.all().length, 0);
});

test('a new object is tentative for one frame, then confirmed with a stable id', () => {
  const tracker = new ByteTracker();
  const d = (f: number): Detection[] => [{ box: box(0.2 + 0.02 * f, 0.5, 0.08, 0.1), label: 'car', score: 0.9 }];
  assert.deepEqual(tracker.update(d(0), 0), []);
  const ids = new Set<number>();
  for (let f = 1; f < 20; f++) {
    const out = tracker.update(d(f), f * FRAME_MS);
    assert.equal(out.length, 1, `frame ${f}`);
    ids.add(out[0]!.id);
    assert.equal(out[0]!.cls, 'car');
  }
  assert.equal(ids.size, 1);
});

for (const hidden of [1, 3, 8]) {
  test(`a motorbike hidden behind an occluder for ${hidden} frames keeps its id`, () => {
    const tracker = new ByteTracker();
    const speed = 0.015; // per frame: ~5 m/s for a 2 m motorbike 0.05 wide
    const occluderFrom = 20;
    const seen = new Map<number, number | undefined>();
    for (let f = 0; f < occluderFrom + hidden + 15; f++) {
      const cx = 0.1 + speed * f;
      const visible = f < occluderFrom || f >= occluderFrom + hidden;
      // A second, parked car nearby must not steal the id.
      const dets: Detection[] = [{ box: box(0.5, 0.25, 0.1, 0.08), label: 'car', score: 0.85 }];
      if (visible) dets.push({ box: box(cx, 0.5, 0.05, 0.08), label: 'motorcycle', score: 0.8 });
      const out = tracker.update(dets, f * FRAME_MS);
      if (visible) seen.set(f, idNear(out, cx, 0.5));
    }
    const ids = new Set([...seen.entries()].filter(([f]) => f > 1).map(([, id]) => id));
    assert.equal(ids.size, 1, `ids seen: ${[...ids].join(',')}`);
    assert.ok([...ids][0] !== undefined);
  });
}

test('a partly occluded object keeps its id through low-score detections (second association)', () => {
  const tracker = new ByteTracker();
  const ids = new Set<number | undefined>();
  for (let f = 0; f < 30; f++) {
    const cx = 0.2 + 0.01 * f;
    const score = f >= 10 && f < 18 ? 0.25 : 0.8; // half hidden: the detector is unsure
    const out = tracker.update([{ box: box(cx, 0.6, 0.06, 0.1), label: 'motorbike', score }], f * FRAME_MS);
    if (f > 1) ids.add(idNear(out, cx, 0.6));
  }
  assert.deepEqual([...ids].length, 1);
  assert.notEqual([...ids][0], undefined);
});

test('two motorbikes crossing paths do not swap ids', () => {
  const tracker = new ByteTracker();
  const a: (number | undefined)[] = [];
  const b: (number | undefined)[] = [];
  for (let f = 0; f < 40; f++) {
    // One rides right, one rides left along nearly the same line; they overlap around frame 20.
    const ax = 0.1 + 0.02 * f;
    const bx = 0.9 - 0.02 * f;
    const dets: Detection[] = [
      { box: box(ax, 0.5, 0.05, 0.08), label: 'motorcycle', score: 0.8 },
      { box: box(bx, 0.51, 0.05, 0.08), label: 'motorcycle', score: 0.8 },
    ];
    const out = tracker.update(dets, f * FRAME_MS);
    if (f > 1 && Math.abs(ax - bx) > 0.06) {
      a.push(idNear(out, ax, 0.5));
      b.push(idNear(out, bx, 0.51));
    }
  }
  assert.equal(new Set(a).size, 1, `rider A ids ${[...new Set(a)].join(',')}`);
  assert.equal(new Set(b).size, 1, `rider B ids ${[...new Set(b)].join(',')}`);
  assert.notEqual(a[0], b[0]);
});

test('a track lost longer than the buffer is dropped and a reappearing object gets a new id', () => {
  const tracker = new ByteTracker({ lostBufferMs: 1000 });
  const d: Detection[] = [{ box: box(0.5, 0.5, 0.1, 0.1), label: 'bus', score: 0.9 }];
  let first: number | undefined;
  for (let f = 0; f < 5; f++) first = tracker.update(d, f * FRAME_MS)[0]?.id ?? first;
  assert.deepEqual(
    tracker.all().map((t) => [t.id, t.state]),
    [[first, 'confirmed']],
  );
  tracker.update([], 5 * FRAME_MS);
  assert.deepEqual(
    tracker.all().map((t) => [t.id, t.state]),
    [[first, 'lost']],
  );
  for (let f = 6; f < 12; f++) tracker.update([], f * FRAME_MS);
  assert.equal(tracker.all().length, 0);
  tracker.update(d, 12 * FRAME_MS);
  const again = tracker.update(d, 13 * FRAME_MS)[0]?.id;
  assert.ok(first !== undefined && again !== undefined && again !== first);
});

test('tracks are per class: a person walking past a parked car keeps its own track', () => {
  const tracker = new ByteTracker();
  const person: (number | undefined)[] = [];
  for (let f = 0; f < 25; f++) {
    const px = 0.3 + 0.01 * f;
    const out = tracker.update(
      [
        { box: box(0.42, 0.5, 0.2, 0.15), label: 'car', score: 0.9 },
        { box: box(px, 0.5, 0.03, 0.12), label: 'person', score: 0.7 },
      ],
      f * FRAME_MS,
    );
    if (f > 1) person.push(out.find((t) => t.cls === 'person')?.id);
  }
  assert.equal(new Set(person).size, 1);
  assert.notEqual(person[0], undefined);
});

test('riders merge into their motorbike; a pedestrian beside it and a lone bike stay as they are', () => {
  const merged = mergeRiders([
    // Rider and pillion over a motorbike: one motorbike with the union box and the best score.
    { box: { x1: 0.4, y1: 0.3, x2: 0.46, y2: 0.45 }, label: 'person', score: 0.7 },
    { box: { x1: 0.41, y1: 0.32, x2: 0.47, y2: 0.46 }, label: 'person', score: 0.4 },
    { box: { x1: 0.39, y1: 0.38, x2: 0.47, y2: 0.5 }, label: 'motorcycle', score: 0.5 },
    // Pedestrian on the kerb next to it: overlaps nothing.
    { box: { x1: 0.6, y1: 0.3, x2: 0.63, y2: 0.45 }, label: 'person', score: 0.8 },
    // Parked motorbike without a rider.
    { box: { x1: 0.8, y1: 0.6, x2: 0.86, y2: 0.7 }, label: 'motorcycle', score: 0.6 },
    { box: { x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.3 }, label: 'car', score: 0.9 },
  ]);
  assert.deepEqual(
    merged.map((d) => [d.label, d.score, d.box]),
    [
      ['car', 0.9, { x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.3 }],
      ['person', 0.8, { x1: 0.6, y1: 0.3, x2: 0.63, y2: 0.45 }],
      ['motorcycle', 0.7, { x1: 0.39, y1: 0.3, x2: 0.47, y2: 0.5 }],
      ['motorcycle', 0.6, { x1: 0.8, y1: 0.6, x2: 0.86, y2: 0.7 }],
    ],
  );
  // Without any two-wheeler box the list is unchanged.
  const people: Detection[] = [{ box: box(0.5, 0.5, 0.03, 0.1), label: 'person', score: 0.6 }];
  assert.deepEqual(mergeRiders(people), people);
});

test('frames dropped upstream: a fast motorbike keeps its id across a gap of 4 frames', () => {
  const run = (dropFrom: number) => {
    const tracker = new ByteTracker();
    const ids = new Set<number | undefined>();
    for (let f = 0; f < 30; f++) {
      if (f >= dropFrom && f < dropFrom + 4) continue; // never handed to the tracker
      const cx = 0.1 + 0.03 * f; // 0.6 of its width per frame
      const out = tracker.update([{ box: box(cx, 0.5, 0.05, 0.08), label: 'motorcycle', score: 0.8 }], f * FRAME_MS);
      if (f > 1) ids.add(idNear(out, cx, 0.5));
    }
    return ids;
  };
  const ids = run(12);
  assert.equal(ids.size, 1, `ids ${[...ids].join(',')}`);
  assert.notEqual([...ids][0], undefined);
});
