import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { EVENT_TYPES, type EventType } from '@vigil/contracts';
import { ROLES, type Role } from '../auth/roles.js';

/** Shapes shared by several routes; each is validation, serializer, OpenAPI and type at once. */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'Stable code, e.g. VIGIL_ERR_ALERT_STATE.' }),
    error: Type.Optional(Type.String()),
    message: Type.String({ description: 'What went wrong and what to do.' }),
  },
  { $id: 'Error' },
);

export const AlertStatus = Type.Union([Type.Literal('firing'), Type.Literal('acknowledged'), Type.Literal('resolved')]);
export const VerdictKind = Type.Union([Type.Literal('true_alarm'), Type.Literal('false_alarm'), Type.Literal('duplicate')]);
export const AlertType = Type.Unsafe<EventType>({ type: 'string', enum: [...EVENT_TYPES] });
export const RoleName = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES], description: 'admin, operator, environment_officer, traffic_officer or viewer.' });
const Iso = Type.String({ format: 'date-time' });
/**
 * `type: [T, 'null']` instead of anyOf: the response serializer then checks typeof instead of running
 * a validator per field per row (an anyOf made the alert list 2x slower to serialize).
 */
export function Nullable<T extends TSchema & { type: string }>(t: T) {
  return Type.Unsafe<Static<T> | null>({ ...t, type: [t.type, 'null'] });
}

export const Alert = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  agency: Type.String(),
  status: AlertStatus,
  site: Type.String(),
  gateway: Type.String(),
  camera: Nullable(Type.String()),
  incident: Type.String(),
  score: Type.Number(),
  held: Type.Boolean(),
  event_count: Type.Integer(),
  fired_at: Iso,
  last_event_at: Iso,
  acknowledged_at: Nullable(Iso),
  acknowledged_by: Nullable(Type.String()),
  resolved_at: Nullable(Iso),
  resolved_by: Nullable(Type.String()),
  silenced: Type.Boolean(),
  inhibited: Type.Boolean(),
  assignee: Nullable(Type.String()),
  verdict: Type.Unsafe<Static<typeof VerdictKind> | null>({ type: ['string', 'null'], enum: ['true_alarm', 'false_alarm', 'duplicate', null] }),
  summary: Type.Record(Type.String(), Type.Unknown()),
});
export type Alert = Static<typeof Alert>;

export const EvidenceLink = Type.Object({
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  kind: Type.String(),
  content_type: Type.String(),
  bytes: Type.Integer(),
  url: Type.String({ description: 'Signed link; works without a session until expires_at.' }),
  expires_at: Iso,
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
