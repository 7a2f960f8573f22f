import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Database as IngestDatabase } from '@vigil/ingest';

/**
 * The tables alerts-api reads and writes, as kysely types. Ingest owns the events/alerts/audit tables
 * and their migrations; `ApiTables` are the API's own (users, sessions, tokens, operator annotations,
 * live feed, webhooks), created by ./migrations.ts under a separate migration table so the two
 * packages never fight over one history.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type { AlertRow, AlertStatus } from '@vigil/ingest';

/** Ingest's tables (events, alerts, silences, notifications, evidence, audit_log), typed by ingest. */
export type IngestTables = IngestDatabase;

export type ApiTables = {
  api_users: {
    id: Generated<number>;
    username: string;
    display_name: string;
    password_hash: string;
    role: string;
    /** Sites this user may see; null = every site. */
    sites: Json<string[] | null>;
    disabled: Generated<boolean>;
    created_at: Timestamp;
  };
  api_sessions: {
    /** sha256 of the cookie value: a leaked table does not leak sessions. */
    token_hash: string;
    user_id: number;
    created_at: Timestamp;
    expires_at: Timestamp;
  };
  api_tokens: {
    id: Generated<number>;
    name: string;
    token_hash: string;
    role: string;
    sites: Json<string[] | null>;
    created_by: string;
    created_at: Timestamp;
    expires_at: Timestamp | null;
    revoked_at: Timestamp | null;
    last_used_at: Timestamp | null;
  };
  api_alert_notes: {
    id: Generated<number>;
    alert_id: number;
    author: string;
    text: string;
    at: Timestamp;
  };
  api_alert_assignments: {
    alert_id: number;
    assignee: string;
    assigned_by: string;
    at: Timestamp;
  };
  api_alert_verdicts: {
    alert_id: number;
    verdict: 'true_alarm' | 'false_alarm' | 'duplicate';
    duplicate_of: number | null;
    comment: string;
    decided_by: string;
    at: Timestamp;
  };
  api_feed: {
    id: Generated<number>;
    at: Timestamp;
    kind: string;
    alert_id: number;
    alert_type: string;
    site: string;
    payload: Json<Record<string, unknown>>;
  };
  api_webhook_subscriptions: {
    id: Generated<number>;
    url: string;
    secret: string;
    /** Alert types to send; null = all. */
    types: Json<string[] | null>;
    created_by: string;
    created_at: Timestamp;
    disabled: Generated<boolean>;
  };
  api_webhook_deliveries: {
    id: Generated<number>;
    subscription_id: number;
    feed_id: number;
    status: 'pending' | 'delivered' | 'dead';
    attempts: number;
    next_attempt_at: Timestamp;
    last_error: string | null;
    last_status: number | null;
    delivered_at: Timestamp | null;
  };
};

export interface Database extends IngestTables, ApiTables {}

export type UserRow = Selectable<ApiTables['api_users']>;
export type FeedRow = Selectable<ApiTables['api_feed']>;
