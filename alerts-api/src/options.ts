import type { Kysely } from 'kysely';
import type { Database } from './db/tables.js';
import type { EvidenceBlobs } from './services/evidence.js';

export interface AppOptions {
  db: Kysely<Database>;
  /** Signs evidence links and webhook payload ids; at least 32 random characters in production. */
  secret: string;
  /** Run the API's migrations at start (default true). */
  migrate?: boolean;
  /** Cookies marked Secure (default true; browsers accept them on http://localhost too). */
  secureCookies?: boolean;
  sessionTtlMs?: number;
  evidenceTtlMs?: number;
  feedPollMs?: number;
  /** How long live-feed rows are kept for replay and webhooks (default 7 days). */
  feedRetentionMs?: number;
  sseHeartbeatMs?: number;
  publicCacheMs?: number;
  corsOrigins?: string[];
  /** Requests per minute per caller for the API as a whole, for login, and for the public view. */
  rateLimits?: { api?: number; login?: number; public?: number };
  /** Public names of flood hotspots, by "site/camera" or camera id. */
  hotspotNames?: Record<string, string>;
  /** Map positions [lat, lon] by "site/camera". */
  cameraLocations?: Record<string, [number, number]>;
  /** Ingest's evidence directory (content-addressed files). */
  evidenceDir?: string;
  /** Another source of evidence bytes (overrides evidenceDir). */
  evidenceBlobs?: EvidenceBlobs;
  /** Webhook delivery: attempts before dead-lettering, first backoff, request timeout. */
  webhooks?: { maxAttempts?: number; backoffMs?: number; timeoutMs?: number; pollMs?: number };
  /** Folder with the built dashboard (index.html etc.); omitted = no dashboard. */
  webDir?: string;
}
