import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CameraConfig, EvidenceRef } from '@vigil/contracts';
import { boxArea, type BoxLike } from '../../geometry/index.js';
import type { RgbImage } from './signal/lamp-colour.js';
import type { Judgement } from './traffic-analytics.js';
import type { TrackPoint } from './track-history.js';

/** Where evidence files go; the edge agent's EvidenceStore (disk budget, retention) fits this. */
export interface EvidenceSink {
  put(data: Buffer, ext: 'jpg', kind: EvidenceRef['kind'], contentType: string, at: number): Promise<{ ref: EvidenceRef }>;
}

export interface ViolationEvidenceOptions {
  /** The store to put files in; or ... */
  store?: EvidenceSink;
  /** ... a plain directory: JPEGs named by their sha256 (the evidence store's address). */
  dir?: string;
  /** The "before" frame is this long before the violation. */
  beforeMs?: number;
  /** The "after" frame is the first one at least this long after it (the event waits for it). */
  afterMs?: number;
  /** Frames kept for drawing; bounds memory: width x height x 3 bytes per frame. */
  keepMs?: number;
  jpegQuality?: number;
}

/** A violation with its files, ready to be built into an event. */
export interface Evidenced {
  judgement: Judgement;
  evidence: EvidenceRef[];
}

interface StoredFrame {
  at: number;
  width: number;
  height: number;
  data: Buffer;
}

/**
 * Evidence per violation: three annotated frames (before, at and after it) with the track's path,
 * its box and the line or zone it broke, plus a crop of the vehicle at its best frame (largest box
 * still in memory: nearest the camera, best for reading the plate later). Frames are copied into a
 * short ring buffer because the source reuses its buffers; a violation is completed once its "after"
 * frame has arrived. Only 'start' events get evidence; an incident's 'end' refers to the same files.
 */
export class ViolationEvidence {
  private readonly frames: StoredFrame[] = [];
  private readonly pending: Judgement[] = [];
  private readonly beforeMs: number;
  private readonly afterMs: number;
  private readonly keepMs: number;
  private readonly quality: number;

  constructor(
    private readonly camera: CameraConfig,
    private readonly opt: ViolationEvidenceOptions,
  ) {
    this.beforeMs = opt.beforeMs ?? 1000;
    this.afterMs = opt.afterMs ?? 600;
    this.keepMs = opt.keepMs ?? Math.max(3000, this.beforeMs + this.afterMs + 1000);
    this.quality = opt.jpegQuality ?? 80;
    if (!opt.store && !opt.dir) throw new RangeError('ViolationEvidence needs a store or a dir to write to');
  }

  /** Keeps a copy of the frame; returns violations whose evidence is now complete. */
  async addFrame(image: RgbImage, at: number): Promise<Evidenced[]> {
    let reuse: StoredFrame | undefined;
    while (this.frames.length && at - this.frames[0]!.at > this.keepMs) reuse = this.frames.shift();
    const data = reuse && reuse.data.length === image.data.length ? reuse.data : Buffer.allocUnsafe(image.data.length);
    data.set(image.data);
    this.frames.push({ at, width: image.width, height: image.height, data });
    const ready = this.pending.filter((j) => at >= j.violation.at + this.afterMs);
    return this.complete(ready);
  }

  /** Times of the frames held (for metrics: memory is frames x width x height x 3). */
  heldFrames(): number[] {
    return this.frames.map((f) => f.at);
  }

  /** Asks for evidence of a violation judged on the latest frame. */
  request(j: Judgement): void {
    this.pending.push(j);
  }

  /** End of stream: completes what is pending with the frames there are. */
  async flush(): Promise<Evidenced[]> {
    return this.complete([...this.pending]);
  }

  private async complete(ready: Judgement[]): Promise<Evidenced[]> {
    const out: Evidenced[] = [];
    for (const j of ready) {
      this.pending.splice(this.pending.indexOf(j), 1);
      out.push({ judgement: j, evidence: j.violation.phase === 'start' ? await this.render(j) : [] });
    }
    return out;
  }

  private nearest(at: number, notBefore = false): StoredFrame | undefined {
    let best: StoredFrame | undefined;
    for (const f of this.frames) {
      if (notBefore && f.at < at) continue;
      if (!best || Math.abs(f.at - at) < Math.abs(best.at - at)) best = f;
    }
    return best;
  }

  private async render(j: Judgement): Promise<EvidenceRef[]> {
    const v = j.violation;
    const at = this.nearest(v.at);
    if (!at) return [];
    const shots = [this.nearest(v.at - this.beforeMs), at, this.nearest(v.at + this.afterMs, true) ?? this.frames.at(-1)];
    const refs: EvidenceRef[] = [];
    const seen = new Set<StoredFrame>();
    for (const f of shots) {
      if (!f || seen.has(f)) continue;
      seen.add(f);
      refs.push(await this.store(await this.annotate(f, j), 'snapshot', f.at));
    }
    const crop = await this.crop(j.path);
    if (crop) refs.push(crop);
    return refs;
  }

  private async annotate(f: StoredFrame, j: Judgement): Promise<Buffer> {
    const v = j.violation;
    const W = f.width;
    const H = f.height;
    const px = (x: number, y: number) => `${(x * W).toFixed(1)},${(y * H).toFixed(1)}`;
    const path = j.path.filter((p) => p.at <= f.at);
    const here = path.at(-1);
    let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">`;
    const line = this.camera.lines.find((l) => l.id === v.zone);
    const zone = this.camera.zones.find((z) => z.id === v.zone);
    if (line) svg += `<polyline points="${line.points.map(([x, y]) => px(x, y)).join(' ')}" stroke="#ff2020" stroke-width="3" fill="none"/>`;
    if (zone) svg += `<polygon points="${zone.polygon.map(([x, y]) => px(x, y)).join(' ')}" stroke="#ffb000" stroke-width="2" fill="#ffb000" fill-opacity="0.12"/>`;
    if (path.length > 1) svg += `<polyline points="${path.map((p) => px(p.point[0], p.point[1])).join(' ')}" stroke="#00e5ff" stroke-width="2" fill="none"/>`;
    if (here) {
      const b = here.box;
      svg += `<rect x="${b.x1 * W}" y="${b.y1 * H}" width="${(b.x2 - b.x1) * W}" height="${(b.y2 - b.y1) * H}" stroke="#ffff00" stroke-width="2" fill="none"/>`;
    }
    const light = j.signal.phase === 'red' ? `signal red +${j.signal.secondsIntoRed.toFixed(1)} s` : `signal ${j.signal.phase}`;
    const label = escapeXml(`${v.type} · ${v.cls} #${v.trackId} · ${describe(j)} · ${light} · ${new Date(f.at).toISOString().slice(11, 23)}`);
    svg += `<rect x="0" y="${H - 22}" width="${W}" height="22" fill="#000" fill-opacity="0.6"/><text x="6" y="${H - 6}" font-family="sans-serif" font-size="14" fill="#fff">${label}</text></svg>`;
    return sharp(f.data, { raw: { width: W, height: H, channels: 3 } })
      .composite([{ input: Buffer.from(svg) }])
      .jpeg({ quality: this.quality })
      .toBuffer();
  }

  private async crop(path: readonly TrackPoint[]): Promise<EvidenceRef | undefined> {
    let best: { p: TrackPoint; f: StoredFrame } | undefined;
    for (const p of path) {
      const f = this.frames.find((x) => x.at === p.at);
      if (f && (!best || boxArea(p.box) > boxArea(best.p.box))) best = { p, f };
    }
    if (!best) return undefined;
    const r = pixelRect(padded(best.p.box, 0.15), best.f.width, best.f.height);
    if (r.width < 2 || r.height < 2) return undefined;
    const jpeg = await sharp(best.f.data, { raw: { width: best.f.width, height: best.f.height, channels: 3 } })
      .extract(r)
      .jpeg({ quality: 90 })
      .toBuffer();
    return this.store(jpeg, 'crop', best.f.at);
  }

  private async store(bytes: Buffer, kind: 'snapshot' | 'crop', at: number): Promise<EvidenceRef> {
    if (this.opt.store) return (await this.opt.store.put(bytes, 'jpg', kind, 'image/jpeg', at)).ref;
    const dir = this.opt.dir!;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${sha256}.jpg`), bytes);
    return { kind, sha256, content_type: 'image/jpeg', bytes: bytes.length, at: new Date(at).toISOString() };
  }
}

function describe(j: Judgement): string {
  const v = j.violation;
  switch (v.type) {
    case 'red_light':
      return `crossed ${v.attributes.stop_line}`;
    case 'wrong_way':
      return `against lane ${v.attributes.lane}`;
    case 'illegal_stopping':
      return `stopped ${v.attributes.stopped_s.toFixed(0)} s`;
    case 'lane_violation':
      return `in ${v.attributes.zone_kind} ${v.zone ?? ''}`;
    case 'speeding':
      return `${v.attributes.speed_kmh.toFixed(0)} km/h, limit ${v.attributes.limit_kmh}`;
  }
}

function padded(b: BoxLike, share: number): BoxLike {
  const dx = (b.x2 - b.x1) * share;
  const dy = (b.y2 - b.y1) * share;
  return { x1: Math.max(0, b.x1 - dx), y1: Math.max(0, b.y1 - dy), x2: Math.min(1, b.x2 + dx), y2: Math.min(1, b.y2 + dy) };
}

function pixelRect(b: BoxLike, W: number, H: number): { left: number; top: number; width: number; height: number } {
  const left = Math.max(0, Math.floor(b.x1 * W));
  const top = Math.max(0, Math.floor(b.y1 * H));
  return { left, top, width: Math.min(W - left, Math.ceil(b.x2 * W) - left), height: Math.min(H - top, Math.ceil(b.y2 * H) - top) };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
