import type { EventType } from '@vigil/contracts';
import type { Agency } from '../store/postgres/schema.js';

/** Alert types: every event type, plus gateway_offline raised from the retained status topic. */
export type AlertType = EventType | 'gateway_offline';

/** Alerts about the camera or gateway itself; the others are analytics and can be inhibited by these. */
export const INFRASTRUCTURE_TYPES = new Set<AlertType>(['camera_offline', 'camera_tampered', 'gateway_offline']);

/** Who receives each type (Alertmanager's routing tree, flattened: the types are few and fixed). */
export const AGENCY_BY_TYPE: Readonly<Record<AlertType, Agency>> = {
  fire: 'environment',
  smoke: 'environment',
  forest_fire: 'environment',
  straw_burning: 'environment',
  red_light: 'traffic_police',
  wrong_way: 'traffic_police',
  illegal_stopping: 'traffic_police',
  lane_violation: 'traffic_police',
  speeding: 'traffic_police',
  no_helmet: 'traffic_police',
  flood: 'ioc',
  flood_level: 'ioc',
  camera_offline: 'ioc',
  camera_tampered: 'ioc',
  gateway_offline: 'ioc',
};

const MIN = 60_000;

/**
 * Time an operator has to acknowledge before the alert escalates (and again each further deadline).
 * Fires spread in minutes; traffic violations are evidence for later, not emergencies.
 */
export const DEFAULT_ACK_DEADLINE_MS: Readonly<Record<AlertType, number>> = {
  fire: 5 * MIN,
  forest_fire: 5 * MIN,
  smoke: 10 * MIN,
  straw_burning: 10 * MIN,
  flood: 10 * MIN,
  flood_level: 15 * MIN,
  red_light: 60 * MIN,
  wrong_way: 30 * MIN,
  illegal_stopping: 60 * MIN,
  lane_violation: 60 * MIN,
  speeding: 60 * MIN,
  no_helmet: 60 * MIN,
  camera_offline: 30 * MIN,
  camera_tampered: 30 * MIN,
  gateway_offline: 15 * MIN,
};

export function agencyFor(type: string): Agency {
  return AGENCY_BY_TYPE[type as AlertType] ?? 'ioc';
}
