import { groundPoint, type BoxLike, type Point } from '../../geometry/index.js';
import type { RoadClass } from '../../track/index.js';

/** One observation of a track. */
export interface TrackPoint {
  at: number;
  box: BoxLike;
  /** Ground contact point (bottom centre of the box). */
  point: Point;
}

/** A track in the current frame, with its recent path (oldest first, the current point last). */
export interface TrackView {
  id: number;
  cls: RoadClass;
  box: BoxLike;
  score: number;
  point: Point;
  history: readonly TrackPoint[];
}

/** The minimum a rule needs of a tracker's output (the tracker's Track, or a replay line). */
export interface TrackObservation {
  id: number;
  cls: RoadClass;
  box: BoxLike;
  score?: number;
}

/** Recent paths of live tracks; a track unseen for `goneAfterMs` is reported gone once. */
export class TrackHistory {
  private readonly paths = new Map<number, { cls: RoadClass; points: TrackPoint[]; lastAt: number }>();

  constructor(
    private readonly keepMs = 10_000,
    private readonly goneAfterMs = 3_000,
  ) {}

  /** Adds a frame's tracks; returns their views and the ids of tracks that went away. */
  observe(tracks: readonly TrackObservation[], at: number): { views: TrackView[]; gone: number[] } {
    const views: TrackView[] = [];
    for (const t of tracks) {
      let path = this.paths.get(t.id);
      if (!path) {
        path = { cls: t.cls, points: [], lastAt: at };
        this.paths.set(t.id, path);
      }
      const point = groundPoint(t.box);
      path.points.push({ at, box: t.box, point });
      path.lastAt = at;
      path.cls = t.cls;
      while (path.points.length > 2 && at - path.points[0]!.at > this.keepMs) path.points.shift();
      views.push({ id: t.id, cls: t.cls, box: t.box, score: t.score ?? 1, point, history: path.points });
    }
    const gone: number[] = [];
    for (const [id, path] of this.paths) {
      if (at - path.lastAt > this.goneAfterMs) {
        gone.push(id);
        this.paths.delete(id);
      }
    }
    return { views, gone };
  }

  /** Ids of every live track (end of a replay: all are reported gone). */
  ids(): number[] {
    return [...this.paths.keys()];
  }

  path(id: number): readonly TrackPoint[] {
    return this.paths.get(id)?.points ?? [];
  }

  clear(id: number): void {
    this.paths.delete(id);
  }
}

/** The point of a path closest in time to `at - agoMs` (and at least that old), if the path reaches back that far. */
export function pointAgo(history: readonly TrackPoint[], agoMs: number): TrackPoint | undefined {
  const now = history.at(-1);
  if (!now) return undefined;
  for (let i = history.length - 1; i >= 0; i--) if (now.at - history[i]!.at >= agoMs) return history[i];
  return undefined;
}
