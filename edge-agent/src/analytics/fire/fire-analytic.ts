import { formatIssues, validateMessage, VigilError, type Box, type CameraConfig, type EventOf, type ZoneConfig } from '@vigil/contracts';
import type { CameraEvents, Incident } from '../../pipeline/events.js';
import { boxArea, boxCentre, pointInPolygon, type BoxLike, type Point } from '../../geometry/index.js';
import { KOfNConfirmation } from './confirmation.js';

export type FireConfig = NonNullable<CameraConfig['analytics']['fire']>;
export type FireEventType = 'fire' | 'smoke' | 'forest_fire' | 'straw_burning';
export type FireEvent = EventOf<FireEventType>;

/** One detection of the fire-smoke model, box normalised x1,y1,x2,y2. */
export interface FireDetection {
  label: string;
  score: number;
  box: BoxLike;
}

export interface FireAnalyticOptions {
  /** Detections below this score are ignored (the model's own threshold usually applies first). */
  minScore?: number;
  /** An open incident gets an update (with fresh evidence) at most this often, unless it escalates. */
  updateEveryS?: number;
  /** IANA time zone for the burning season's months and hours (the gateway's local time by default). */
  timeZone?: string;
  /**
   * Smoke boxes wider than this share of the frame are dropped (Pyronear's max_bbox_size, 0.4, on its
   * smoke detector): haze, fog and low sun make a smoke box of most of the frame, while a plume starts
   * narrow. Flames are not limited: a fire close to the camera fills the frame.
   */
  maxSmokeWidth?: number;
}

interface WatchedZone {
  id: string | undefined;
  kind: 'forest' | 'field' | 'urban';
  polygon: Point[] | undefined;
  fire: KOfNConfirmation;
  smoke: KOfNConfirmation;
  open: OpenIncident | undefined;
  coolUntil: number;
}

interface OpenIncident {
  incident: Incident<FireEventType>;
  lastUpdateAt: number;
  peakFireArea: number;
}

const FIRE_LABELS = new Set(['fire', 'flame', 'flames']);
const SMOKE_LABELS = new Set(['smoke']);

/**
 * Fire and smoke on one camera, per watched zone: sampled detections -> masks for known false sources
 * (zones of kind mask: chimneys, lamps, a sunset sky) and smoke boxes too wide to be a plume (haze) -> k-of-n confirmation -> one incident per zone
 * with a start, updates (periodic, or when smoke turns into flames) and an end once no detection is left
 * in the window (n sampled frames without one). The zone kind types the incident: forest ->
 * forest_fire, field -> straw_burning in the burning season (else fire), urban or the whole frame ->
 * fire; smoke without flames -> smoke. After an incident ends, the zone stays quiet for cooldown_s so a
 * field that smoulders on and off raises one alert, not one a minute.
 */
export class FireAnalytic {
  readonly sampleEveryMs: number;
  private readonly zones: WatchedZone[];
  private readonly masks: Point[][];
  private readonly minScore: number;
  private readonly updateEveryMs: number;
  private readonly maxSmokeWidth: number;
  private readonly localTime: Intl.DateTimeFormat;
  private nextDueAt = -Infinity;

  constructor(
    private readonly config: FireConfig,
    zones: readonly ZoneConfig[],
    options: FireAnalyticOptions = {},
  ) {
    this.sampleEveryMs = config.sample_every_s * 1000;
    this.minScore = options.minScore ?? 0.3;
    this.updateEveryMs = (options.updateEveryS ?? 60) * 1000;
    this.maxSmokeWidth = options.maxSmokeWidth ?? 0.4;
    this.localTime = new Intl.DateTimeFormat('en-GB', { timeZone: options.timeZone, month: 'numeric', hour: 'numeric', hourCycle: 'h23' });
    const byId = new Map(zones.map((z) => [z.id, z]));
    const watched = config.zones.map((id) => {
      const zone = byId.get(id);
      if (!zone) throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `analytics.fire.zones: zone "${id}" is not among the camera's zones; add it under zones or fix the id`);
      if (zone.kind !== 'forest' && zone.kind !== 'field' && zone.kind !== 'urban') {
        throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `analytics.fire.zones: zone "${id}" is a ${zone.kind} zone; fire watches forest, field or urban zones`);
      }
      return this.watched(zone.id, zone.kind, zone.polygon as Point[]);
    });
    this.zones = watched.length ? watched : [this.watched(undefined, 'urban', undefined)];
    this.masks = zones.filter((z) => z.kind === 'mask').map((z) => z.polygon as Point[]);
  }

  static fromCamera(camera: CameraConfig, options?: FireAnalyticOptions): FireAnalytic | undefined {
    const config = camera.analytics.fire;
    return config ? new FireAnalytic(config, camera.zones, options) : undefined;
  }

  /** True when a sample is due (fire runs on its period with or without motion). */
  due(at: number): boolean {
    return at >= this.nextDueAt - this.sampleEveryMs * 0.1;
  }

  /** One sampled frame's detections; returns the events it produced. */
  observe(at: number, detections: readonly FireDetection[], events: CameraEvents): FireEvent[] {
    const planned = this.nextDueAt;
    this.nextDueAt = Number.isFinite(planned) && at - planned < this.sampleEveryMs ? planned + this.sampleEveryMs : at + this.sampleEveryMs;
    const kept = detections.filter((d) => d.score >= this.minScore && !this.masked(d.box) && !(SMOKE_LABELS.has(d.label.toLowerCase()) && d.box.x2 - d.box.x1 > this.maxSmokeWidth));
    const perZone = new Map<WatchedZone, { fire: FireDetection[]; smoke: FireDetection[] }>(this.zones.map((z) => [z, { fire: [], smoke: [] }]));
    for (const d of kept) {
      const label = d.label.toLowerCase();
      const kind = FIRE_LABELS.has(label) ? 'fire' : SMOKE_LABELS.has(label) ? 'smoke' : undefined;
      if (!kind) continue;
      const zone = this.zoneOf(d.box);
      if (zone) perZone.get(zone)![kind].push(d);
    }
    const out: FireEvent[] = [];
    for (const [zone, found] of perZone) out.push(...this.step(events, zone, at, found.fire, found.smoke));
    return out;
  }

  /** The stream ended: close open incidents. */
  finish(at: number, events: CameraEvents): FireEvent[] {
    const out: FireEvent[] = [];
    for (const zone of this.zones) {
      if (zone.open) out.push(this.close(events, zone, at, [], [], false));
    }
    return out;
  }

  private step(ev: CameraEvents, zone: WatchedZone, at: number, fire: FireDetection[], smoke: FireDetection[]): FireEvent[] {
    const f = zone.fire.push(fire.map((d) => d.box));
    const s = zone.smoke.push(smoke.map((d) => d.box));
    const confirmedFire = fire.filter((d) => f.confirmed.includes(d.box));
    const confirmedSmoke = smoke.filter((d) => s.confirmed.includes(d.box));
    const events: FireEvent[] = [];
    const open = zone.open;
    if (open) {
      if (zone.fire.framesWithBoxes === 0 && zone.smoke.framesWithBoxes === 0) {
        events.push(this.close(ev, zone, at, fire, smoke, true));
        return events;
      }
      if (open.incident.type === 'smoke' && confirmedFire.length) {
        // smoke turned into flames: a different incident type, so the smoke incident ends and the fire starts at once
        events.push(this.close(ev, zone, at, fire, smoke, false));
        events.push(this.open(ev, zone, at, confirmedFire, smoke, f.hits));
        return events;
      }
      const fireArea = areaOf(fire);
      const grew = open.peakFireArea > 0 && fireArea > 2 * open.peakFireArea;
      if ((fire.length || smoke.length) && (grew || at - open.lastUpdateAt >= this.updateEveryMs)) {
        open.lastUpdateAt = at;
        open.peakFireArea = Math.max(open.peakFireArea, fireArea);
        events.push(this.build(ev, zone, open, 'update', at, fire, smoke, Math.max(f.hits, s.hits)));
      }
      return events;
    }
    if (at < zone.coolUntil) return events;
    if (confirmedFire.length) events.push(this.open(ev, zone, at, confirmedFire, smoke, f.hits));
    else if (confirmedSmoke.length) events.push(this.open(ev, zone, at, [], confirmedSmoke, s.hits));
    return events;
  }

  private open(ev: CameraEvents, zone: WatchedZone, at: number, fire: FireDetection[], smoke: FireDetection[], hits: number): FireEvent {
    const type = fire.length ? this.fireType(zone.kind, at) : 'smoke';
    zone.open = { incident: { type, id: '', startedAt: at, ...(zone.id ? { zone: zone.id } : {}) }, lastUpdateAt: at, peakFireArea: areaOf(fire) };
    return this.build(ev, zone, zone.open, 'start', at, fire, smoke, hits);
  }

  private close(ev: CameraEvents, zone: WatchedZone, at: number, fire: FireDetection[], smoke: FireDetection[], coolDown: boolean): FireEvent {
    const event = this.build(ev, zone, zone.open!, 'end', at, fire, smoke, 1);
    zone.open = undefined;
    if (coolDown) zone.coolUntil = at + this.config.cooldown_s * 1000;
    return event;
  }

  private fireType(kind: WatchedZone['kind'], at: number): FireEventType {
    if (kind === 'forest') return 'forest_fire';
    if (kind === 'field') return this.inBurningSeason(at) ? 'straw_burning' : 'fire';
    return 'fire';
  }

  private inBurningSeason(at: number): boolean {
    const season = this.config.burning_season;
    if (!season) return true;
    const parts = this.localTime.formatToParts(new Date(at));
    const month = Number(parts.find((p) => p.type === 'month')?.value);
    const hour = Number(parts.find((p) => p.type === 'hour')?.value);
    if (!season.months.includes(month)) return false;
    if (!season.hours) return true;
    const [from, to] = season.hours;
    // [from, to) in local hours; from > to wraps past midnight (e.g. [18, 6))
    return from <= to ? hour >= from && hour < to : hour >= from || hour < to;
  }

  private build(ev: CameraEvents, zone: WatchedZone, open: OpenIncident, phase: 'start' | 'update' | 'end', at: number, fire: FireDetection[], smoke: FireDetection[], hits: number): FireEvent {
    const type = open.incident.type;
    const shown = type === 'smoke' ? smoke : [...fire, ...smoke];
    const boxes: Box[] = shown.slice(0, 64).map((d) => ({ x1: clamp01(d.box.x1), y1: clamp01(d.box.y1), x2: clamp01(d.box.x2), y2: clamp01(d.box.y2), label: d.label, score: clamp01(d.score) }));
    const score = clamp01(shown.length ? Math.max(...shown.map((d) => d.score)) : 0);
    const attributes = {
      zone_kind: zone.kind,
      fire_area_ratio: round3(Math.min(1, areaOf(fire))),
      smoke_area_ratio: round3(Math.min(1, areaOf(smoke))),
      frames_confirmed: Math.max(1, Math.min(hits, this.config.confirm_n)),
      frames_window: this.config.confirm_n,
    };
    let event: FireEvent;
    if (phase === 'start') {
      const started = ev.start(type, at, attributes, { score, boxes, ...(zone.id ? { zone: zone.id } : {}) });
      open.incident = started.incident;
      event = started.event;
    } else event = phase === 'update' ? ev.update(open.incident, at, attributes, { score, boxes }) : ev.end(open.incident, at, attributes, { score, boxes });
    const checked = validateMessage('event', event);
    if (!checked.ok) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `fire analytic built an invalid event (a bug here): ${formatIssues(checked.issues)}`);
    return checked.value as FireEvent;
  }

  private watched(id: string | undefined, kind: WatchedZone['kind'], polygon: Point[] | undefined): WatchedZone {
    return { id, kind, polygon, fire: new KOfNConfirmation(this.config.confirm_k, this.config.confirm_n), smoke: new KOfNConfirmation(this.config.confirm_k, this.config.confirm_n), open: undefined, coolUntil: -Infinity };
  }

  private masked(box: BoxLike): boolean {
    const c = boxCentre(box);
    return this.masks.some((m) => pointInPolygon(c, m));
  }

  /** First watched zone (in config order) holding the box centre; the whole frame when none are configured. */
  private zoneOf(box: BoxLike): WatchedZone | undefined {
    const c = boxCentre(box);
    return this.zones.find((z) => !z.polygon || pointInPolygon(c, z.polygon));
  }
}

const areaOf = (ds: readonly FireDetection[]) => ds.reduce((a, d) => a + boxArea(d.box), 0);
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const round3 = (v: number) => Math.round(v * 1000) / 1000;
