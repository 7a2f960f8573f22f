import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The Postgres schema, as kysely types. alerts-api reads these tables; migrations.ts creates them.
 * Timestamps are timestamptz (Date in and out); JSON columns hold the contract's own shapes.
 */
export interface Database {
  events: EventsTable;
  dead_letters: DeadLettersTable;
  gateway_sequences: GatewaySequencesTable;
  sequence_gaps: SequenceGapsTable;
  gateways: GatewaysTable;
  alerts: AlertsTable;
  silences: SilencesTable;
  notifications: NotificationsTable;
  evidence: EvidenceTable;
  evidence_chunks: EvidenceChunksTable;
  audit_log: AuditLogTable;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface EventsTable {
  id: string;
  incident: string;
  seq: number;
  type: string;
  phase: 'start' | 'update' | 'end';
  site: string;
  gateway: string;
  camera: string;
  zone: string | null;
  score: number;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  frame_at: Timestamp;
  received_at: Timestamp;
  /** The whole event as received (contract v1 JSON). */
  body: Json<unknown>;
}

export interface DeadLettersTable {
  id: Generated<number>;
  topic: string;
  /** One line per bad field: "/attributes/level must be one of ...". */
  reason: string;
  payload: Buffer;
  payload_bytes: number;
  received_at: Timestamp;
}

export interface GatewaySequencesTable {
  site: string;
  gateway: string;
  max_seq: number;
  updated_at: Timestamp;
}

export interface SequenceGapsTable {
  site: string;
  gateway: string;
  seq: number;
  detected_at: Timestamp;
  /** Set when the missing event arrives late. */
  filled_at: Timestamp | null;
}

export interface GatewaysTable {
  site: string;
  gateway: string;
  state: 'online' | 'offline';
  agent_version: string | null;
  state_at: Timestamp;
  /** Last GatewayHealth message. */
  health: Json<unknown> | null;
  health_at: Timestamp | null;
}

export type AlertStatus = 'firing' | 'acknowledged' | 'resolved';
export type Agency = 'environment' | 'traffic_police' | 'ioc';

export interface AlertsTable {
  id: Generated<number>;
  /** site/gateway/camera/type/incident: one alert per group. */
  group_key: string;
  site: string;
  gateway: string;
  camera: string | null;
  type: string;
  incident: string;
  agency: Agency;
  status: AlertStatus;
  /** An operator keeps it open: the incident's end does not resolve it. */
  held: boolean;
  score: number;
  first_event_id: string;
  last_event_id: string;
  event_count: number;
  fired_at: Timestamp;
  last_event_at: Timestamp;
  incident_ended_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  /** Alert id of the camera_offline / gateway_offline alert that suppresses this one. */
  inhibited_by: number | null;
  silenced_by: number | null;
  last_notified_at: Timestamp | null;
  notify_count: number;
  escalation_level: number;
  summary: Json<Record<string, unknown>>;
}

export interface SilencesTable {
  id: Generated<number>;
  /** Matchers: null means "any". */
  site: string | null;
  gateway: string | null;
  camera: string | null;
  type: string | null;
  owner: string;
  comment: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  created_at: Timestamp;
}

export type NotificationKind = 'firing' | 'repeat' | 'escalation' | 'resolved';

export interface NotificationsTable {
  id: Generated<number>;
  alert_id: number;
  kind: NotificationKind;
  agency: Agency;
  escalation_level: number;
  created_at: Timestamp;
  /** Set by whoever delivers it (alerts-api's live feed, SMS/e-mail relays). */
  delivered_at: Timestamp | null;
}

export interface EvidenceTable {
  sha256: string;
  event_id: string;
  kind: 'snapshot' | 'clip' | 'crop';
  content_type: string;
  bytes: number;
  /** When the file landed in the content-addressed store and matched its sha256. */
  stored_at: Timestamp | null;
}

export interface EvidenceChunksTable {
  sha256: string;
  index: number;
  count: number;
  content_type: string;
  bytes: number;
  data: Buffer;
  received_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string;
  action: string;
  alert_id: number | null;
  detail: Json<Record<string, unknown>>;
}

export type EventRow = Selectable<EventsTable>;
export type DeadLetterRow = Selectable<DeadLettersTable>;
export type AlertRow = Selectable<AlertsTable>;
export type NewAlert = Insertable<AlertsTable>;
export type SilenceRow = Selectable<SilencesTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type SequenceGapRow = Selectable<SequenceGapsTable>;
export type GatewayRow = Selectable<GatewaysTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type EvidenceRow = Selectable<EvidenceTable>;
