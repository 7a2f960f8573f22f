/**
 * Plane geometry on normalised image coordinates (x right, y down, 0..1). Pure functions, no state:
 * zones, lines and tracks all meet here, so the rules stay free of arithmetic.
 */
export type Point = readonly [number, number];
export type Polygon = readonly Point[];
export type Segment = readonly [Point, Point];

/** Axis-aligned box in normalised x1,y1,x2,y2. */
export interface BoxLike {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Ray casting; points exactly on an edge may land either way, which is harmless for zones. */
export function pointInPolygon(p: Point, polygon: Polygon): boolean {
  let inside = false;
  const [x, y] = p;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Signed distance from p to the infinite line through the segment. Negative = on the left of
 * a -> b as seen on screen (y grows downwards), positive = on the right.
 */
export function signedDistance(p: Point, [a, b]: Segment): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  if (len === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  return (dx * (p[1] - a[1]) - dy * (p[0] - a[0])) / len;
}

/** Position of p's projection along a -> b: 0 at a, 1 at b. */
export function projectionParameter(p: Point, [a, b]: Segment): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  return len2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
}

/** True when segments p1-p2 and q1-q2 properly intersect or touch. */
export function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && onSegment(q1, q2, p1)) ||
    (d2 === 0 && onSegment(q1, q2, p2)) ||
    (d3 === 0 && onSegment(p1, p2, q1)) ||
    (d4 === 0 && onSegment(p1, p2, q2))
  );
}

function orient(a: Point, b: Point, c: Point): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function onSegment(a: Point, b: Point, p: Point): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Where a road user touches the ground: the bottom centre of its box. */
export function groundPoint(box: BoxLike): Point {
  return [(box.x1 + box.x2) / 2, box.y2];
}

export function boxCentre(box: BoxLike): Point {
  return [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2];
}

export function boxArea(box: BoxLike): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

export function iou(a: BoxLike, b: BoxLike): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

export function boundingRect(polygon: Polygon): BoxLike {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const [x, y] of polygon) {
    x1 = Math.min(x1, x);
    y1 = Math.min(y1, y);
    x2 = Math.max(x2, x);
    y2 = Math.max(y2, y);
  }
  return { x1, y1, x2, y2 };
}
