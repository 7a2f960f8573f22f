import type { VigilEvent, GatewayHealth, GatewayStatus } from '@vigil/contracts';
import type {
  AlertRow,
  AlertStatus,
  Agency,
  AuditRow,
  DeadLetterRow,
  EventRow,
  GatewayRow,
  NewAlert,
  NotificationKind,
  NotificationRow,
  SequenceGapRow,
  SilenceRow,
} from './schema.js';

export interface DeadLetter {
  topic: string;
  reason: string;
  payload: Uint8Array;
  receivedAt: Date;
}

export interface SequenceResult {
  /** Sequence numbers found missing by this event (new gaps). */
  missing: number[];
  /** True when this event filled a gap recorded earlier (it arrived late). */
  filledGap: boolean;
}

export interface EvidenceChunkInput {
  sha256: string;
  index: number;
  count: number;
  contentType: string;
  bytes: number;
  data: Uint8Array;
  receivedAt: Date;
}

/** Events, dead letters, sequence gaps, gateway state and evidence metadata. */
export interface EventStore {
  /** Inserts the event unless its id is known; `inserted: false` means a duplicate delivery. */
  insertEvent(event: VigilEvent, receivedAt: Date): Promise<{ inserted: boolean }>;
  /** Tracks the gateway's sequence: records new gaps, fills gaps when a late event arrives. */
  recordSequence(site: string, gateway: string, seq: number, at: Date): Promise<SequenceResult>;
  insertDeadLetter(letter: DeadLetter): Promise<void>;
  setGatewayStatus(status: GatewayStatus, at: Date): Promise<void>;
  setGatewayHealth(health: GatewayHealth, at: Date): Promise<void>;
  getGateway(site: string, gateway: string): Promise<GatewayRow | undefined>;
  /** Evidence metadata from the event's refs (stored_at stays null until the file arrives). */
  insertEvidenceRefs(event: VigilEvent): Promise<void>;
  markEvidenceStored(sha256: string, at: Date): Promise<void>;
  /** Keeps one chunk; returns every chunk, in order, once all `count` are in (and deletes them). */
  putEvidenceChunk(chunk: EvidenceChunkInput): Promise<Buffer[] | null>;
  getEvent(id: string): Promise<EventRow | undefined>;
  countEvents(): Promise<number>;
  listDeadLetters(limit?: number): Promise<DeadLetterRow[]>;
  countDeadLetters(): Promise<number>;
  /** Unfilled gaps; `detectedBefore` leaves out fresh ones that reordering may still fill. */
  openGaps(site?: string, gateway?: string, detectedBefore?: Date): Promise<SequenceGapRow[]>;
  /** Runs fn in one transaction with a store bound to it. */
  transaction<T>(fn: (store: VigilStore) => Promise<T>): Promise<T>;
}

export interface AlertFilter {
  status?: AlertStatus | AlertStatus[];
  agency?: Agency;
  site?: string;
  camera?: string;
  limit?: number;
}

export interface NewSilence {
  site?: string | null;
  gateway?: string | null;
  camera?: string | null;
  type?: string | null;
  owner: string;
  comment: string;
  startsAt: Date;
  endsAt: Date;
}

/** Alerts, silences, notifications and the audit log: what alerts-api reads and operators change. */
export interface AlertStore {
  getAlert(id: number): Promise<AlertRow | undefined>;
  findAlertByGroup(groupKey: string): Promise<AlertRow | undefined>;
  /** Inserts unless the group exists; returns the row and whether it was new. */
  insertAlert(alert: NewAlert): Promise<{ alert: AlertRow; created: boolean }>;
  updateAlert(id: number, patch: Partial<Omit<NewAlert, 'id'>>): Promise<AlertRow>;
  /** Counts one more event into an alert (atomic increment; locks the row for the transaction). */
  recordAlertEvent(id: number, eventId: string, score: number, at: Date): Promise<AlertRow>;
  listAlerts(filter?: AlertFilter): Promise<AlertRow[]>;
  /** A firing or acknowledged alert of `type` on that camera (or gateway when camera is null). */
  findOpenAlert(site: string, gateway: string, camera: string | null, type: string): Promise<AlertRow | undefined>;
  alertsInhibitedBy(alertId: number): Promise<AlertRow[]>;
  /**
   * The open alert that inhibits others on this gateway: its gateway_offline, or (when camera is
   * given) that camera's camera_offline. Camera first: it is the more specific cause.
   */
  findInhibitor(site: string, gateway: string, camera: string | null): Promise<AlertRow | undefined>;
  insertSilence(silence: NewSilence, createdAt: Date): Promise<SilenceRow>;
  expireSilence(id: number, at: Date): Promise<SilenceRow | undefined>;
  activeSilences(at: Date): Promise<SilenceRow[]>;
  insertNotification(alert: AlertRow, kind: NotificationKind, at: Date): Promise<NotificationRow>;
  listNotifications(alertId?: number): Promise<NotificationRow[]>;
  audit(entry: { at: Date; actor: string; action: string; alertId?: number | null; detail?: Record<string, unknown> }): Promise<void>;
  listAudit(alertId?: number): Promise<AuditRow[]>;
  transaction<T>(fn: (store: VigilStore) => Promise<T>): Promise<T>;
}

export type VigilStore = EventStore & AlertStore;
