import type { Box, EventOf, EventType, VigilEvent } from '@vigil/contracts';
import { monotonicFactory } from 'ulid';

/**
 * The gateway's event sequence: +1 per event across all its cameras, so the centre sees gaps as lost
 * events. Starts at `start` (the outbox persists the last value across restarts).
 */
export class GatewaySequence {
  private value: number;
  constructor(start = 0) {
    this.value = start;
  }
  next(): number {
    return this.value++;
  }
  get peek(): number {
    return this.value;
  }
}

export interface Incident<K extends EventType> {
  type: K;
  id: string;
  startedAt: number;
  zone?: string;
}

const ulid = monotonicFactory();

export interface StartOptions {
  /** When the incident began, if before the frame that confirmed it (default: `at`). */
  startedAt?: number;
  zone?: string;
  score?: number;
  boxes?: Box[];
}

/**
 * Builds contract events for one camera: start / update / end messages sharing an incident id. ULIDs
 * come from a monotonic factory so ids sort in creation order even within one millisecond.
 */
export class CameraEvents {
  constructor(
    readonly site: string,
    readonly gateway: string,
    readonly camera: string,
    private readonly sequence: { next(): number },
  ) {}

  start<K extends EventType>(type: K, at: number, attributes: EventOf<K>['attributes'], options: StartOptions = {}): { incident: Incident<K>; event: EventOf<K> } {
    const id = ulid(at);
    const incident: Incident<K> = { type, id, startedAt: options.startedAt ?? at, ...(options.zone ? { zone: options.zone } : {}) };
    return { incident, event: this.build(incident, 'start', at, attributes, options, id) };
  }

  update<K extends EventType>(incident: Incident<K>, at: number, attributes: EventOf<K>['attributes'], options: StartOptions = {}): EventOf<K> {
    return this.build(incident, 'update', at, attributes, options);
  }

  end<K extends EventType>(incident: Incident<K>, at: number, attributes: EventOf<K>['attributes'], options: StartOptions = {}): EventOf<K> {
    return this.build(incident, 'end', at, attributes, options);
  }

  private build<K extends EventType>(
    incident: Incident<K>,
    phase: 'start' | 'update' | 'end',
    at: number,
    attributes: EventOf<K>['attributes'],
    options: StartOptions,
    id = ulid(at),
  ): EventOf<K> {
    const event = {
      v: 1,
      id,
      incident: incident.id,
      seq: this.sequence.next(),
      type: incident.type,
      phase,
      started_at: new Date(incident.startedAt).toISOString(),
      ...(phase === 'end' ? { ended_at: new Date(at).toISOString() } : {}),
      frame_at: new Date(at).toISOString(),
      site: this.site,
      gateway: this.gateway,
      camera: this.camera,
      ...(incident.zone ? { zone: incident.zone } : {}),
      score: options.score ?? 1,
      boxes: options.boxes ?? [],
      evidence: [],
      attributes,
    } satisfies Omit<VigilEvent, 'type' | 'attributes'> & { type: K; attributes: unknown };
    return event as unknown as EventOf<K>;
  }
}
