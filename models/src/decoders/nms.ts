import type { Candidate } from './types.js';

export function iou(a: Candidate, b: Candidate): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy class-wise non-maximum suppression: a box is dropped when a higher-scored box of the same
 * class overlaps it by more than `iouThreshold`. Boxes of different classes never suppress each other
 * (a person on a motorbike keeps both boxes). Returns at most `maxDetections`, best first.
 */
export function classwiseNms(candidates: Candidate[], iouThreshold: number, maxDetections = Infinity): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.some((k) => k.classIndex === c.classIndex && iou(k, c) > iouThreshold)) continue;
    kept.push(c);
  }
  return kept;
}
