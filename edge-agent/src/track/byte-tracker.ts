import { linearSumAssignment } from 'linear-sum-assignment';
import { iou, type BoxLike } from '../geometry/index.js';
import { roadClassOf, type Detection, type RoadClass } from './detection.js';
import { BoxKalman, fromState, toMeasurement } from './kalman.js';

export type TrackState = 'tentative' | 'confirmed' | 'lost';

/** A tracked object as the rest of the pipeline sees it. */
export interface Track {
  id: number;
  cls: RoadClass;
  /** Kalman-smoothed box, normalised. */
  box: BoxLike;
  /** Score of the last matched detection. */
  score: number;
  state: TrackState;
  /** Frames matched so far. */
  hits: number;
  /** Time of the last matched detection (ms). */
  lastSeenAt: number;
}

export interface ByteTrackerOptions {
  /** Detections at or above this take part in the first association (ByteTrack: 0.5). */
  highScore?: number;
  /** Detections below this are ignored entirely (ByteTrack: 0.1). */
  lowScore?: number;
  /** A new track needs a detection at least this confident (ByteTrack: high + 0.1). */
  newTrackScore?: number;
  /** Maximum 1 - IoU for the first association (ByteTrack: 0.8). */
  firstMatchCost?: number;
  /** Maximum 1 - IoU for the second association with low-score detections (ByteTrack: 0.5). */
  secondMatchCost?: number;
  /**
   * Maximum 1 - IoU to confirm a tentative track. ByteTrack uses 0.7 at 30 fps; at 5 fps a motorbike
   * near the camera moves over half its width between frames before its velocity is known, so 0.8.
   */
  tentativeMatchCost?: number;
  /** Matches needed before a track is confirmed and reported. */
  confirmHits?: number;
  /** A lost track is kept (and can be found again with its id) this long after its last match. */
  lostBufferMs?: number;
}

interface Internal {
  id: number;
  cls: RoadClass;
  kf: BoxKalman;
  score: number;
  state: TrackState;
  hits: number;
  lastSeenAt: number;
}

interface ClassedDetection extends Detection {
  cls: RoadClass;
}

/**
 * ByteTrack (Zhang et al. 2022): every detection box counts, including low-score ones, which are
 * matched in a second pass to tracks the first pass left unmatched (an occluded motorbike often
 * scores 0.2-0.4 and would otherwise break its track). Tracks only match detections of their own
 * class. Time enters only through the lost buffer; the motion model steps once per frame.
 */
export class ByteTracker {
  private readonly opt: Required<ByteTrackerOptions>;
  private tracks: Internal[] = [];
  private nextId = 1;
  private lastAt: number | undefined;
  /** The usual time between frames, learnt from the stream (the motion model steps in frames). */
  private frameMs: number | undefined;

  constructor(options: ByteTrackerOptions = {}) {
    const highScore = options.highScore ?? 0.5;
    this.opt = {
      highScore,
      lowScore: options.lowScore ?? 0.1,
      newTrackScore: options.newTrackScore ?? highScore + 0.1,
      firstMatchCost: options.firstMatchCost ?? 0.8,
      secondMatchCost: options.secondMatchCost ?? 0.5,
      tentativeMatchCost: options.tentativeMatchCost ?? 0.8,
      confirmHits: options.confirmHits ?? 2,
      lostBufferMs: options.lostBufferMs ?? 3000,
    };
  }

  /** Feeds one frame's detections (time in ms) and returns the confirmed tracks seen in it. */
  update(detections: readonly Detection[], at: number): Track[] {
    const dets: ClassedDetection[] = [];
    for (const d of detections) {
      const cls = roadClassOf(d.label);
      if (cls && d.score >= this.opt.lowScore && d.box.x2 > d.box.x1 && d.box.y2 > d.box.y1) dets.push({ ...d, cls });
    }
    const high = dets.filter((d) => d.score >= this.opt.highScore);
    const low = dets.filter((d) => d.score < this.opt.highScore);

    // Frames dropped upstream (the source hands over the newest frame when analytics are busy) mean
    // the objects moved several steps since the last call: predict that many.
    const steps = this.stepsTo(at);
    for (const t of this.tracks) {
      // ByteTrack freezes the height velocity of tracks it cannot see, so a lost box does not balloon.
      if (t.state === 'lost') t.kf.v[3] = 0;
      for (let i = 0; i < steps; i++) t.kf.predict();
    }

    const active = this.tracks.filter((t) => t.state !== 'tentative');
    const tentative = this.tracks.filter((t) => t.state === 'tentative');

    // 1. High-score detections against confirmed and lost tracks.
    const first = associate(active, high, this.opt.firstMatchCost);
    for (const [t, d] of first.matches) this.hit(t, d, at);

    // 2. Low-score detections against confirmed tracks still unmatched (not lost ones: a weak box far
    //    from where a lost track was predicted is more likely something else).
    const stillTracked = first.unmatchedTracks.filter((t) => t.state === 'confirmed');
    const second = associate(stillTracked, low, this.opt.secondMatchCost);
    for (const [t, d] of second.matches) this.hit(t, d, at);
    for (const t of second.unmatchedTracks) t.state = 'lost';

    // 3. Tentative tracks get one more chance with the leftover high-score boxes; otherwise dropped.
    const third = associate(tentative, first.unmatchedDetections, this.opt.tentativeMatchCost);
    for (const [t, d] of third.matches) this.hit(t, d, at);
    const dropped = new Set<Internal>(third.unmatchedTracks);

    for (const d of third.unmatchedDetections) {
      if (d.score < this.opt.newTrackScore) continue;
      this.tracks.push({ id: this.nextId++, cls: d.cls, kf: new BoxKalman(toMeasurement(d.box)), score: d.score, state: 'tentative', hits: 1, lastSeenAt: at });
    }

    this.tracks = this.tracks.filter((t) => !dropped.has(t) && !(t.state === 'lost' && at - t.lastSeenAt > this.opt.lostBufferMs));
    return this.tracks.filter((t) => t.state === 'confirmed' && t.lastSeenAt === at).map(view);
  }

  /** Every live track, including tentative and lost ones (for drawing and debugging). */
  all(): Track[] {
    return this.tracks.map(view);
  }

  private stepsTo(at: number): number {
    const dt = this.lastAt === undefined ? undefined : at - this.lastAt;
    this.lastAt = at;
    if (dt === undefined || dt <= 0) return 1;
    // The shortest recent gap is the frame interval; a slow drift up follows a changed frame rate.
    this.frameMs = this.frameMs === undefined ? dt : Math.min(dt, this.frameMs * 1.05);
    return Math.min(10, Math.max(1, Math.round(dt / this.frameMs)));
  }

  private hit(t: Internal, d: ClassedDetection, at: number): void {
    t.kf.update(toMeasurement(d.box));
    t.score = d.score;
    t.hits++;
    t.lastSeenAt = at;
    if (t.state === 'lost' || t.hits >= this.opt.confirmHits) t.state = 'confirmed';
  }
}

function view(t: Internal): Track {
  const b = fromState(t.kf.x);
  const box = { x1: clamp01(b.x1), y1: clamp01(b.y1), x2: clamp01(b.x2), y2: clamp01(b.y2) };
  return { id: t.id, cls: t.cls, box, score: t.score, state: t.state, hits: t.hits, lastSeenAt: t.lastSeenAt };
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Minimum-cost assignment on 1 - IoU, same class only; pairs above maxCost stay unmatched. */
function associate(
  tracks: Internal[],
  dets: ClassedDetection[],
  maxCost: number,
): { matches: [Internal, ClassedDetection][]; unmatchedTracks: Internal[]; unmatchedDetections: ClassedDetection[] } {
  if (tracks.length === 0 || dets.length === 0) return { matches: [], unmatchedTracks: [...tracks], unmatchedDetections: [...dets] };
  const boxes = tracks.map((t) => fromState(t.kf.x));
  const cost = tracks.map((t, i) => dets.map((d) => (d.cls === t.cls ? 1 - iou(boxes[i]!, d.box) : 1)));
  const { rowAssignments } = linearSumAssignment(cost, { maximaze: false });
  const matches: [Internal, ClassedDetection][] = [];
  const usedDets = new Set<number>();
  const unmatchedTracks: Internal[] = [];
  tracks.forEach((t, i) => {
    const j = rowAssignments[i]!;
    if (j >= 0 && cost[i]![j]! <= maxCost) {
      matches.push([t, dets[j]!]);
      usedDets.add(j);
    } else unmatchedTracks.push(t);
  });
  return { matches, unmatchedTracks, unmatchedDetections: dets.filter((_, j) => !usedDets.has(j)) };
}
