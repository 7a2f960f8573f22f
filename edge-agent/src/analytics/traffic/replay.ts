import { VigilError, type CameraConfig, type VigilEvent } from '@vigil/contracts';
import { roadClassOf } from '../../track/index.js';
import { RecordedSignal, type SignalPhase } from './signal/signal-state.js';
import { TrafficAnalytics } from './traffic-analytics.js';
import type { LineCount } from './rules/line-counter.js';
import { CountingSequence, type SequenceCounter } from './traffic-events.js';
import type { TrackObservation } from './track-history.js';

/** One parsed line of a tracks file (docs/replay-format.md). */
export type ReplayLine = { kind: 'track'; at: number; track: TrackObservation } | { kind: 'signal'; at: number; phase: SignalPhase };

const PHASES: readonly SignalPhase[] = ['red', 'amber', 'green', 'unknown'];

/**
 * Parses one line. `t` is an ISO 8601 time or a number of seconds (added to `startMs`). Throws a
 * VigilError naming the line and what to write instead.
 */
export function parseReplayLine(text: string, lineNo: number, startMs = 0): ReplayLine | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const bad = (what: string) => new VigilError('VIGIL_ERR_REPLAY_INPUT', `line ${lineNo}: ${what} (see docs/replay-format.md)`);
  let v: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('expected a JSON object');
    v = parsed as Record<string, unknown>;
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw bad(`not valid JSON: ${(e as Error).message}`);
  }
  let at: number;
  if (typeof v.t === 'number' && Number.isFinite(v.t)) at = startMs + v.t * 1000;
  else if (typeof v.t === 'string' && !Number.isNaN(Date.parse(v.t))) at = Date.parse(v.t);
  else throw bad('"t" must be seconds (a number) or an ISO 8601 time such as "2026-11-22T08:00:12.400Z"');

  if (v.signal !== undefined) {
    if (typeof v.signal !== 'string' || !PHASES.includes(v.signal as SignalPhase)) throw bad(`"signal" must be one of ${PHASES.join(', ')}`);
    return { kind: 'signal', at, phase: v.signal as SignalPhase };
  }
  if (typeof v.track !== 'number' || !Number.isInteger(v.track) || v.track < 0) throw bad('"track" must be a non-negative integer track id');
  const cls = typeof v.class === 'string' ? roadClassOf(v.class) : undefined;
  if (!cls) throw bad(`"class" must be one of motorbike, car, bus, truck, bicycle, person (or a COCO label such as motorcycle); got ${JSON.stringify(v.class)}`);
  const b = v.box;
  const nums = Array.isArray(b) ? b : b && typeof b === 'object' ? [(b as Record<string, unknown>).x1, (b as Record<string, unknown>).y1, (b as Record<string, unknown>).x2, (b as Record<string, unknown>).y2] : [];
  if (nums.length !== 4 || !nums.every((n) => typeof n === 'number' && n >= 0 && n <= 1)) throw bad('"box" must be [x1, y1, x2, y2] normalised to the frame (0..1)');
  const [x1, y1, x2, y2] = nums as number[];
  if (x2! <= x1! || y2! <= y1!) throw bad('"box" must have x2 > x1 and y2 > y1');
  const score = typeof v.score === 'number' ? Math.min(1, Math.max(0, v.score)) : 1;
  return { kind: 'track', at, track: { id: v.track, cls, box: { x1: x1!, y1: y1!, x2: x2!, y2: y2! }, score } };
}

export interface ReplayOptions {
  site?: string;
  gateway?: string;
  /** Time that numeric `t` values count from (ms since epoch). */
  startMs?: number;
  sequence?: SequenceCounter;
}

export interface ReplayResult {
  events: VigilEvent[];
  counts: LineCount[];
  /** Lines that could not be used, with the reason; the rest of the file still runs. */
  problems: VigilError[];
  frames: number;
}

/**
 * Runs a camera's traffic rules over recorded or hand-written tracks: lines with the same time form one
 * frame; frames must come in time order. Bad lines are reported and skipped.
 */
export async function replayTracks(lines: AsyncIterable<string> | Iterable<string>, camera: CameraConfig, options: ReplayOptions = {}): Promise<ReplayResult> {
  const signal = new RecordedSignal();
  const analytics = new TrafficAnalytics(camera, signal, {
    site: options.site ?? 'replay',
    gateway: options.gateway ?? 'replay',
    sequence: options.sequence ?? new CountingSequence(),
  });
  const result: ReplayResult = { events: [], counts: [], problems: [], frames: 0 };
  let frameAt: number | undefined;
  let frame: TrackObservation[] = [];
  const flush = () => {
    if (frameAt === undefined) return;
    for (const j of analytics.observe(frame, frameAt)) result.events.push(analytics.event(j));
    result.frames++;
    frame = [];
  };
  let lineNo = 0;
  let lastAt = -Infinity;
  for await (const text of lines) {
    lineNo++;
    let line: ReplayLine | undefined;
    try {
      line = parseReplayLine(text, lineNo, options.startMs ?? 0);
      if (!line) continue;
      if (line.at < lastAt) throw new VigilError('VIGIL_ERR_REPLAY_INPUT', `line ${lineNo}: time goes backwards (${new Date(line.at).toISOString()} after ${new Date(lastAt).toISOString()}); sort the file by "t"`);
      lastAt = line.at;
    } catch (e) {
      if (!(e instanceof VigilError)) throw e;
      result.problems.push(e);
      continue;
    }
    if (line.kind === 'signal') {
      signal.timeline.record(line.at, line.phase);
      continue;
    }
    if (line.at !== frameAt) {
      flush();
      frameAt = line.at;
    }
    if (frame.some((t) => t.id === line.track.id)) {
      result.problems.push(new VigilError('VIGIL_ERR_REPLAY_INPUT', `line ${lineNo}: track ${line.track.id} appears twice at the same time; keep one point per track and time`));
      continue;
    }
    frame.push(line.track);
  }
  flush();
  for (const j of analytics.finish()) result.events.push(analytics.event(j));
  result.counts = analytics.takeCounts();
  return result;
}
