import type { BoxLike } from '../geometry/index.js';
import { roadClassOf, type Detection } from './detection.js';

/**
 * COCO detectors see a rider as a `person` box on top of a `motorcycle` (or `bicycle`) box. On
 * Vietnamese streets that would make every motorbike two road users, one of them a pedestrian in the
 * carriageway. A person whose box mostly lies over a two-wheeler's box (share of the smaller box) is
 * merged into it: one detection with the union box and the two-wheeler's label. Pillion riders merge
 * too. People on foot stay people.
 */
export function mergeRiders(detections: readonly Detection[], minOverlap = 0.3): Detection[] {
  const bikes: { d: Detection; box: BoxLike; score: number }[] = [];
  const people: Detection[] = [];
  const rest: Detection[] = [];
  for (const d of detections) {
    const cls = roadClassOf(d.label);
    if (cls === 'motorbike' || cls === 'bicycle') bikes.push({ d, box: { ...d.box }, score: d.score });
    else if (cls === 'person') people.push(d);
    else rest.push(d);
  }
  if (!bikes.length) return [...detections];
  const walkers: Detection[] = [];
  for (const p of people) {
    let best: (typeof bikes)[number] | undefined;
    let bestOverlap = minOverlap;
    for (const b of bikes) {
      const o = overlapOfSmaller(p.box, b.d.box);
      // The rider sits over the bike: their horizontal centres are within the bike's width.
      const cx = (p.box.x1 + p.box.x2) / 2;
      if (o >= bestOverlap && cx >= b.d.box.x1 && cx <= b.d.box.x2) {
        best = b;
        bestOverlap = o;
      }
    }
    if (!best) {
      walkers.push(p);
      continue;
    }
    best.box = { x1: Math.min(best.box.x1, p.box.x1), y1: Math.min(best.box.y1, p.box.y1), x2: Math.max(best.box.x2, p.box.x2), y2: Math.max(best.box.y2, p.box.y2) };
    best.score = Math.max(best.score, p.score);
  }
  return [...rest, ...walkers, ...bikes.map((b) => ({ label: b.d.label, score: b.score, box: b.box }))];
}

function overlapOfSmaller(a: BoxLike, b: BoxLike): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const smaller = Math.min((a.x2 - a.x1) * (a.y2 - a.y1), (b.x2 - b.x1) * (b.y2 - b.y1));
  return smaller > 0 ? (w * h) / smaller : 0;
}
