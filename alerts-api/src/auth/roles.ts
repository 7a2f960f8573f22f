import { EVENT_TYPES } from '@vigil/contracts';

/**
 * Who may do what. Every route names one permission in its `config.permission`; a role is a set of
 * permissions plus an agency scope (which alert types it sees). The authorisation matrix test walks
 * every registered route against this table.
 */
export const ROLES = ['admin', 'operator', 'environment_officer', 'traffic_officer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'public',
  'session',
  'alerts:read',
  'alerts:act',
  'silences:read',
  'silences:write',
  'sites:read',
  'export:read',
  'users:manage',
  'tokens:manage',
  'webhooks:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = ['session', 'alerts:read', 'sites:read', 'silences:read'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(PERMISSIONS),
  operator: new Set([...READ, 'alerts:act', 'silences:write', 'export:read']),
  environment_officer: new Set([...READ, 'alerts:act']),
  traffic_officer: new Set([...READ, 'alerts:act']),
  viewer: new Set(READ),
};

export const ENVIRONMENT_TYPES = ['fire', 'smoke', 'forest_fire', 'straw_burning'] as const;
export const TRAFFIC_TYPES = ['red_light', 'wrong_way', 'illegal_stopping', 'lane_violation', 'speeding', 'no_helmet'] as const;

/** Alert types each role sees; null = all types. An officer sees only their agency's alerts. */
export const ROLE_TYPES: Record<Role, readonly string[] | null> = {
  admin: null,
  operator: null,
  environment_officer: ENVIRONMENT_TYPES,
  traffic_officer: TRAFFIC_TYPES,
  viewer: null,
};

export interface Principal {
  /** `user:<username>` or `token:<name>`: what the audit log records. */
  actor: string;
  kind: 'user' | 'token';
  id: number;
  username: string;
  displayName: string;
  role: Role;
  scope: Scope;
}

/** What a principal may see: alert types and sites; null means no restriction. */
export interface Scope {
  types: readonly string[] | null;
  sites: readonly string[] | null;
}

export function scopeFor(role: Role, sites: readonly string[] | null): Scope {
  return { types: ROLE_TYPES[role], sites };
}

export function inScope(scope: Scope, alert: { type: string; site: string }): boolean {
  return (scope.types === null || scope.types.includes(alert.type)) && (scope.sites === null || scope.sites.includes(alert.site));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return permission === 'public' || ROLE_PERMISSIONS[role].has(permission);
}

export const ALL_TYPES: readonly string[] = EVENT_TYPES;
