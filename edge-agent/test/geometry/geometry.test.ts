import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Homography, iou, pointInPolygon, projectionParameter, segmentsIntersect, signedDistance, type Point } from '../../src/geometry/index.js';

const square: Point[] = [
  [0.2, 0.2],
  [0.8, 0.2],
  [0.8, 0.8],
  [0.2, 0.8],
];

test('point in polygon: inside, outside and a concave notch', () => {
  assert.equal(pointInPolygon([0.5, 0.5], square), true);
  assert.equal(pointInPolygon([0.1, 0.5], square), false);
  assert.equal(pointInPolygon([0.5, 0.9], square), false);
  // A "U" shape: the notch between the arms is outside.
  const u: Point[] = [
    [0, 0],
    [0.3, 0],
    [0.3, 0.6],
    [0.6, 0.6],
    [0.6, 0],
    [0.9, 0],
    [0.9, 1],
    [0, 1],
  ];
  assert.equal(pointInPolygon([0.45, 0.3], u), false);
  assert.equal(pointInPolygon([0.45, 0.8], u), true);
  assert.equal(pointInPolygon([0.1, 0.3], u), true);
});

test('signed distance: left of a->b on screen is negative', () => {
  const line = [
    [0, 0.5],
    [1, 0.5],
  ] as const;
  assert.ok(Math.abs(signedDistance([0.5, 0.3], line) + 0.2) < 1e-12);
  assert.ok(Math.abs(signedDistance([0.5, 0.7], line) - 0.2) < 1e-12);
  assert.equal(projectionParameter([0.25, 0.9], line), 0.25);
});

test('segments intersect: crossing, parallel, touching, disjoint', () => {
  assert.equal(segmentsIntersect([0, 0], [1, 1], [0, 1], [1, 0]), true);
  assert.equal(segmentsIntersect([0, 0], [1, 0], [0, 0.1], [1, 0.1]), false);
  assert.equal(segmentsIntersect([0, 0], [1, 0], [1, 0], [1, 1]), true);
  assert.equal(segmentsIntersect([0, 0], [0.4, 0.4], [0.6, 0.6], [1, 1]), false);
});

test('iou of identical, disjoint and half-overlapping boxes', () => {
  const a = { x1: 0, y1: 0, x2: 0.2, y2: 0.2 };
  assert.equal(iou(a, a), 1);
  assert.equal(iou(a, { x1: 0.3, y1: 0.3, x2: 0.4, y2: 0.4 }), 0);
  assert.ok(Math.abs(iou(a, { x1: 0.1, y1: 0, x2: 0.3, y2: 0.2 }) - 1 / 3) < 1e-12);
});

test('homography maps the four calibration points exactly and keeps lines straight', () => {
  // A trapezoid in the image (road seen in perspective) onto a 3.5 m x 20 m rectangle.
  const image: Point[] = [
    [0.4, 0.3],
    [0.6, 0.3],
    [0.9, 0.9],
    [0.1, 0.9],
  ];
  const ground: Point[] = [
    [0, 20],
    [3.5, 20],
    [3.5, 0],
    [0, 0],
  ];
  const h = Homography.fromPoints(image, ground);
  for (let i = 0; i < 4; i++) {
    const [u, v] = h.apply(image[i]!);
    assert.ok(Math.abs(u - ground[i]![0]) < 1e-9 && Math.abs(v - ground[i]![1]) < 1e-9, `point ${i} maps to ${u},${v}`);
  }
  // The image centre line x=0.5 is the ground line u=1.75; points further up the image are further away.
  const near = h.apply([0.5, 0.85]);
  const far = h.apply([0.5, 0.35]);
  assert.ok(Math.abs(near[0] - 1.75) < 1e-9 && Math.abs(far[0] - 1.75) < 1e-9);
  assert.ok(far[1] > near[1]);
  // Perspective: equal image steps cover more ground far away.
  const step = (y: number) => h.apply([0.5, y - 0.05])[1] - h.apply([0.5, y])[1];
  assert.ok(step(0.4) > step(0.85));
});

test('homography refuses collinear calibration points with a clear message', () => {
  assert.throws(
    () =>
      Homography.fromPoints(
        [
          [0, 0],
          [0.5, 0.5],
          [1, 1],
          [0, 1],
        ],
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ],
      ),
    /degenerate/,
  );
});
