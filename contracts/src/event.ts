import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Slug, Timestamp, Ulid } from './ids.js';

/** Bump when a change would make an old consumer misread a message (ingest rejects unknown versions). */
export const CONTRACT_VERSION = 1;

const Ratio = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const Seconds = (description: string) => Type.Number({ minimum: 0, description });

export const VehicleClass = Type.Union(
  ['motorbike', 'car', 'bus', 'truck', 'bicycle', 'person'].map((c) => Type.Literal(c)),
  { description: 'Road user class as tracked.' },
) as unknown as TSchema;
export type VehicleClass = 'motorbike' | 'car' | 'bus' | 'truck' | 'bicycle' | 'person';

export const FloodLevel = Type.Union(
  ['normal', 'watch', 'warning', 'danger'].map((l) => Type.Literal(l)),
  { description: 'Warning level from the camera config thresholds (with hysteresis).' },
) as unknown as TSchema;
export type FloodLevel = 'normal' | 'watch' | 'warning' | 'danger';

export const SignalPhase = Type.Union(
  ['red', 'amber', 'green', 'unknown'].map((p) => Type.Literal(p)),
  { description: 'Traffic signal phase when the rule fired.' },
) as unknown as TSchema;

const floodLevelAttrs = Type.Object(
  {
    water_level_cm: Type.Union([Type.Number(), Type.Null()], { description: 'Smoothed depth on the gauge in cm; null when the gauge is not visible.' }),
    level: FloodLevel,
    rate_cm_per_h: Type.Optional(Type.Number({ description: 'Rate of rise (negative when falling).' })),
    flooded_ratio: Type.Optional(Ratio('Share of the reference road region covered by water.')),
    gauge_visible: Type.Boolean({ description: 'False when the gauge could not be read: the level is not guessed.' }),
    gauge: Type.Optional(Slug('Gauge line id from the camera config.')),
  },
  { additionalProperties: false },
);

const fireAttrs = Type.Object(
  {
    zone_kind: Type.Optional(Type.String({ description: 'Kind of the zone the fire is in (forest, field, urban).' })),
    fire_area_ratio: Type.Optional(Ratio('Share of the frame covered by flame boxes.')),
    smoke_area_ratio: Type.Optional(Ratio('Share of the frame covered by smoke boxes.')),
    frames_confirmed: Type.Integer({ minimum: 1, description: 'Frames with a detection in the confirmation window (k of n).' }),
    frames_window: Type.Integer({ minimum: 1, description: 'Length n of the confirmation window.' }),
  },
  { additionalProperties: false },
);

const vehicleBase = {
  vehicle_class: VehicleClass,
  speed_kmh: Type.Optional(Type.Number({ minimum: 0, description: 'Estimated speed from the ground calibration.' })),
};

const eventAttributes = {
  flood_level: floodLevelAttrs,
  flood: floodLevelAttrs,
  fire: fireAttrs,
  smoke: fireAttrs,
  forest_fire: fireAttrs,
  straw_burning: fireAttrs,
  red_light: Type.Object(
    {
      ...vehicleBase,
      signal_phase: SignalPhase,
      seconds_into_red: Seconds('Seconds since the signal turned red when the vehicle crossed the stop line.'),
      stop_line: Slug('Stop line id.'),
      signal: Type.Optional(Slug('Signal id.')),
    },
    { additionalProperties: false },
  ),
  wrong_way: Type.Object(
    {
      ...vehicleBase,
      lane: Slug('Lane zone id.'),
      distance_m: Type.Optional(Type.Number({ minimum: 0, description: 'Distance travelled against the lane direction.' })),
      distance_ratio: Type.Optional(Ratio('Distance against the lane direction as a share of the frame diagonal.')),
    },
    { additionalProperties: false },
  ),
  illegal_stopping: Type.Object(
    { ...vehicleBase, stopped_s: Seconds('Time the vehicle stood still in the no-stopping zone.') },
    { additionalProperties: false },
  ),
  lane_violation: Type.Object(
    {
      ...vehicleBase,
      zone_kind: Type.String({ description: 'Kind of the zone entered (lane, sidewalk).' }),
      allowed_classes: Type.Array(VehicleClass, { description: 'Classes allowed in that zone.' }),
    },
    { additionalProperties: false },
  ),
  speeding: Type.Object(
    {
      ...vehicleBase,
      speed_kmh: Type.Number({ minimum: 0, description: 'Estimated speed.' }),
      limit_kmh: Type.Number({ exclusiveMinimum: 0, description: 'Configured limit.' }),
    },
    { additionalProperties: false },
  ),
  no_helmet: Type.Object(
    {
      riders: Type.Integer({ minimum: 1, description: 'Riders on the motorbike.' }),
      without_helmet: Type.Integer({ minimum: 1, description: 'Riders seen without a helmet.' }),
    },
    { additionalProperties: false },
  ),
  camera_offline: Type.Object(
    {
      reason: Type.Union(
        ['auth_failed', 'not_found', 'timeout', 'unsupported_codec', 'connection_refused', 'stalled', 'exited', 'unknown'].map((r) =>
          Type.Literal(r),
        ),
        { description: 'Why the stream is down, parsed from ffmpeg.' },
      ),
      detail: Type.Optional(Type.String({ maxLength: 500, description: 'The ffmpeg line that gave the reason.' })),
      restarts: Type.Optional(Type.Integer({ minimum: 0, description: 'Reconnect attempts so far.' })),
    },
    { additionalProperties: false },
  ),
  camera_tampered: Type.Object(
    {
      reason: Type.Union(['frozen', 'covered', 'blurred', 'too_dark'].map((r) => Type.Literal(r)), {
        description: 'What the health check saw.',
      }),
      metric: Type.Optional(Type.Number({ description: 'The measured value (sharpness, brightness, seconds frozen).' })),
    },
    { additionalProperties: false },
  ),
} satisfies Record<string, TObject>;

export type EventType = keyof typeof eventAttributes;
export const EVENT_TYPES = Object.keys(eventAttributes) as EventType[];
export const EventAttributes: { readonly [K in EventType]: (typeof eventAttributes)[K] } = eventAttributes;

export const Box = Type.Object(
  {
    x1: Ratio('Left edge, normalised to frame width.'),
    y1: Ratio('Top edge, normalised to frame height.'),
    x2: Ratio('Right edge, normalised.'),
    y2: Ratio('Bottom edge, normalised.'),
    label: Type.Optional(Type.String({ description: 'Model label of this box.' })),
    score: Type.Optional(Ratio('Detection score.')),
  },
  { additionalProperties: false, description: 'Box in normalised x1,y1,x2,y2 (0..1, origin top-left).' },
);
export type Box = Static<typeof Box>;

export const EvidenceRef = Type.Object(
  {
    kind: Type.Union([Type.Literal('snapshot'), Type.Literal('clip'), Type.Literal('crop')], { description: 'What the file shows.' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Hex sha256 of the file: its address in the evidence store.' }),
    content_type: Type.String({ description: 'MIME type, e.g. image/jpeg or video/mp4.' }),
    bytes: Type.Integer({ minimum: 0, description: 'File size.' }),
    at: Type.Optional(Timestamp('Frame time the file shows (snapshots and crops).')),
  },
  { additionalProperties: false },
);
export type EvidenceRef = Static<typeof EvidenceRef>;

const eventEnvelopeProperties = {
  v: Type.Literal(CONTRACT_VERSION, { description: 'Contract version.' }),
  id: Ulid('Unique id of this message (ULID): ingest de-duplicates on it.'),
  incident: Ulid('Id shared by the start, updates and end of one incident.'),
  seq: Type.Integer({ minimum: 0, description: 'Per-gateway sequence number, +1 per event: gaps show lost events.' }),
  type: Type.Union(
    EVENT_TYPES.map((t) => Type.Literal(t)),
    { description: 'What was seen.' },
  ),
  phase: Type.Union([Type.Literal('start'), Type.Literal('update'), Type.Literal('end')], {
    description: 'Lifecycle of the incident.',
  }),
  started_at: Timestamp('When the incident started.'),
  ended_at: Type.Optional(Timestamp('When the incident ended (phase end).')),
  frame_at: Timestamp('Time of the frame this message describes.'),
  site: Slug('Site (city or district) id.'),
  gateway: Slug('Gateway id.'),
  camera: Slug('Camera id.'),
  zone: Type.Optional(Slug('Zone or line id from the camera config.')),
  score: Ratio('Confidence of the incident.'),
  boxes: Type.Array(Box, { maxItems: 256, description: 'Boxes of what was seen in the frame.' }),
  track_id: Type.Optional(Type.Integer({ minimum: 0, description: 'Tracker id of the object (traffic rules).' })),
  evidence: Type.Array(EvidenceRef, { maxItems: 16, description: 'Files that show the incident.' }),
  model: Type.Optional(
    Type.Object(
      { name: Type.String({ description: 'Model name.' }), version: Type.String({ description: 'Model version.' }) },
      { additionalProperties: false, description: 'Model that produced the detections.' },
    ),
  ),
  attributes: Type.Object({}, { description: 'Typed attributes; their schema depends on `type`.' }),
};

const EventEnvelope = Type.Object(eventEnvelopeProperties, { additionalProperties: false });
type EnvelopeStatic = Omit<Static<typeof EventEnvelope>, 'type' | 'attributes'>;

/** An event: the envelope, with `attributes` typed by `type`. */
export type VigilEvent = {
  [K in EventType]: EnvelopeStatic & { type: K; attributes: Static<(typeof eventAttributes)[K]> };
}[EventType];
export type EventOf<K extends EventType> = Extract<VigilEvent, { type: K }>;

/**
 * The JSON Schema of an event: the envelope plus one if/then per type, so validators report the exact
 * path of a bad attribute instead of "no union branch matched".
 */
export const EventSchema: Record<string, unknown> = {
  ...EventEnvelope,
  $id: 'vigil.event.v1',
  title: 'Event',
  description: 'Something a camera saw: one message per phase (start, update, end) of an incident.',
  allOf: EVENT_TYPES.map((t) => ({
    if: { properties: { type: { const: t } }, required: ['type'] },
    then: { properties: { attributes: eventAttributes[t] } },
  })),
};
