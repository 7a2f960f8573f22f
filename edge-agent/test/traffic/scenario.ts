import { checkConfigText, type CameraConfig } from '@vigil/contracts';
import type { RoadClass } from '../../src/track/index.js';
import type { TrackObservation } from '../../src/analytics/traffic/track-history.js';

/**
 * A hand-drawn junction approach (normalised coordinates, traffic drives up the image):
 *   stop line y=0.5 from x 0.1 to 0.9 (junction above it);
 *   lane-in (x 0.1-0.5, below the line) goes up and is a motorbike lane; lane-out (x 0.5-0.9) goes down;
 *   sidewalk x 0.9-1.0; no-stopping box x 0.55-0.85, y 0.6-0.75; count line y=0.8 across lane-in;
 *   speed calibration: image x 0.5-0.9 / y 0.1-0.9 is 10 m x 40 m of road (50 m per unit of y).
 */
export const JUNCTION_YAML = `
version: 1
site: hanoi
gateway: gw-test
cameras:
  - id: cam-junction
    source: { url: rtsp://127.0.0.1:8554/x, transport: tcp }
    zones:
      - { id: signal-main, kind: signal, polygon: [[0.9, 0.05], [0.95, 0.05], [0.95, 0.2], [0.9, 0.2]] }
      - { id: lane-in, kind: lane, polygon: [[0.1, 0.5], [0.5, 0.5], [0.5, 1.0], [0.1, 1.0]], direction: [0, -1], allowed_classes: [motorbike, bicycle] }
      - { id: lane-out, kind: lane, polygon: [[0.5, 0.5], [0.9, 0.5], [0.9, 1.0], [0.5, 1.0]], direction: [0, 1] }
      - { id: sidewalk-east, kind: sidewalk, polygon: [[0.9, 0.3], [1.0, 0.3], [1.0, 1.0], [0.9, 1.0]] }
      - { id: bus-stop, kind: no_stopping, polygon: [[0.55, 0.6], [0.85, 0.6], [0.85, 0.75], [0.55, 0.75]] }
    lines:
      - { id: stop, kind: stop_line, points: [[0.1, 0.5], [0.9, 0.5]] }
      - { id: count-in, kind: count, points: [[0.1, 0.8], [0.5, 0.8]] }
    analytics:
      traffic:
        signal: signal-main
        red_light: { stop_line: stop, grace_s: 0.5 }
        wrong_way_min_distance: 0.1
        stopping_max_s: 60
        count_lines: [count-in]
        speed:
          image: [[0.5, 0.1], [0.9, 0.1], [0.9, 0.9], [0.5, 0.9]]
          ground_m: [[0, 40], [10, 40], [10, 0], [0, 0]]
          limit_kmh: 40
`;

export function junctionCamera(yaml = JUNCTION_YAML): CameraConfig {
  const r = checkConfigText(yaml, 'scenario.yaml', {});
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path} ${p.message}`).join("; "));
  return r.config.cameras[0]!;
}

const SIZE: Record<RoadClass, [number, number]> = {
  motorbike: [0.04, 0.08],
  bicycle: [0.03, 0.07],
  person: [0.02, 0.07],
  car: [0.1, 0.1],
  bus: [0.15, 0.2],
  truck: [0.14, 0.18],
};

export interface Frame {
  at: number;
  tracks: TrackObservation[];
}

/** Track points of one road user whose ground point is at `where(t)` for frames t0..t1 (ms, 5 fps). */
export function drive(id: number, cls: RoadClass, t0: number, t1: number, where: (at: number) => [number, number], stepMs = 200): Frame[] {
  const [w, h] = SIZE[cls];
  const out: Frame[] = [];
  for (let at = t0; at <= t1; at += stepMs) {
    const [x, y] = where(at);
    out.push({ at, tracks: [{ id, cls, box: { x1: x - w / 2, y1: y - h, x2: x + w / 2, y2: y }, score: 0.8 }] });
  }
  return out;
}

/** Straight line from a to b between t0 and t1. */
export const line =
  (a: [number, number], b: [number, number], t0: number, t1: number) =>
  (at: number): [number, number] => {
    const k = Math.min(1, Math.max(0, (at - t0) / (t1 - t0)));
    return [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k];
  };

/** Merges several road users' frames into one frame list in time order. */
export function merge(...runs: Frame[][]): Frame[] {
  const byAt = new Map<number, TrackObservation[]>();
  for (const run of runs) for (const f of run) byAt.set(f.at, [...(byAt.get(f.at) ?? []), ...f.tracks]);
  return [...byAt.entries()].sort((a, b) => a[0] - b[0]).map(([at, tracks]) => ({ at, tracks }));
}
