import { monotonicFactory } from 'ulid';
import { CONTRACT_VERSION, formatIssues, validateMessage, VigilError, type EvidenceRef, type VigilEvent } from '@vigil/contracts';
import type { Violation } from './rules/rule.js';

/** The per-gateway event counter; the publisher persists it, tests and replay use `CountingSequence`. */
export interface SequenceCounter {
  next(): number;
}

export class CountingSequence implements SequenceCounter {
  constructor(private value = 0) {}
  next(): number {
    return this.value++;
  }
}

export interface TrafficEventSource {
  site: string;
  gateway: string;
  camera: string;
  sequence: SequenceCounter;
  model?: { name: string; version: string };
}

/**
 * Turns a rule's Violation into a contract event: ULIDs seeded with the frame time (replays of the
 * same file sort the same way), one incident id shared by an incident's start and end, checked
 * against the contract before it leaves (a bad event is a bug here, not something to publish).
 */
export class TrafficEventBuilder {
  private readonly ulid = monotonicFactory();
  private readonly incidents = new Map<string, string>();

  constructor(private readonly source: TrafficEventSource) {}

  /** Incidents started and not yet ended. */
  openIncidents(): number {
    return this.incidents.size;
  }

  build(v: Violation, extra: { speedKmh?: number; evidence?: EvidenceRef[] } = {}): VigilEvent {
    const id = this.ulid(v.at);
    const incident = this.incidents.get(v.incidentKey) ?? id;
    // Only incidents that will end are remembered, so instant violations do not pile up over months.
    if (v.phase === 'start' && v.ends) this.incidents.set(v.incidentKey, incident);
    else this.incidents.delete(v.incidentKey);
    const speed = v.type === 'speeding' || extra.speedKmh === undefined ? {} : { speed_kmh: Math.round(extra.speedKmh * 10) / 10 };
    const event = {
      v: CONTRACT_VERSION,
      id,
      incident,
      seq: this.source.sequence.next(),
      type: v.type,
      phase: v.phase,
      started_at: iso(v.startedAt),
      ...(v.phase === 'end' ? { ended_at: iso(v.at) } : {}),
      frame_at: iso(v.at),
      site: this.source.site,
      gateway: this.source.gateway,
      camera: this.source.camera,
      ...(v.zone ? { zone: v.zone } : {}),
      score: clamp01(v.score),
      boxes: [{ x1: clamp01(v.box.x1), y1: clamp01(v.box.y1), x2: clamp01(v.box.x2), y2: clamp01(v.box.y2), label: v.cls, score: clamp01(v.score) }],
      track_id: v.trackId,
      evidence: extra.evidence ?? [],
      ...(this.source.model ? { model: this.source.model } : {}),
      attributes: { vehicle_class: v.cls, ...speed, ...v.attributes },
    };
    const checked = validateMessage('event', event);
    if (!checked.ok) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `traffic rule ${v.type} built an invalid event (a bug in the rule): ${formatIssues(checked.issues)}`);
    return checked.value;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
