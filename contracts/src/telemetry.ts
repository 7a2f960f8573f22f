import { Type, type Static } from '@sinclair/typebox';
import { CONTRACT_VERSION, FloodLevel, VehicleClass } from './event.js';
import { Slug, Timestamp } from './ids.js';

export const CameraState = Type.Union(
  ['starting', 'ok', 'offline', 'frozen', 'covered', 'blurred', 'too_dark'].map((s) => Type.Literal(s)),
  { description: 'Camera health as the edge agent sees it.' },
);

export const Telemetry = Type.Object(
  {
    v: Type.Literal(CONTRACT_VERSION, { description: 'Contract version.' }),
    at: Timestamp('Sample time.'),
    site: Slug('Site id.'),
    gateway: Slug('Gateway id.'),
    camera: Slug('Camera id.'),
    fps: Type.Number({ minimum: 0, description: 'Frames analysed per second over the sample interval.' }),
    latency_ms: Type.Optional(Type.Number({ minimum: 0, description: 'p95 frame-to-result latency over the interval.' })),
    health: Type.Object(
      {
        state: CameraState,
        reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why the state is not ok.' })),
      },
      { additionalProperties: false, description: 'Camera health.' },
    ),
    frames: Type.Optional(
      Type.Object(
        {
          decoded: Type.Integer({ minimum: 0, description: 'Frames decoded since start.' }),
          delivered: Type.Integer({ minimum: 0, description: 'Frames handed to analytics.' }),
          dropped: Type.Integer({ minimum: 0, description: 'Frames dropped because analytics were busy (newest frame wins).' }),
          restarts: Type.Integer({ minimum: 0, description: 'ffmpeg restarts.' }),
        },
        { additionalProperties: false, description: 'Source counters.' },
      ),
    ),
    water_level_cm: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'Smoothed gauge depth; null when not visible.' })),
    flooded_ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Flooded share of the reference region.' })),
    level: Type.Optional(FloodLevel),
    counts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            line: Slug('Counting line id.'),
            class: VehicleClass,
            count: Type.Integer({ minimum: 0, description: 'Crossings in the interval.' }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 512, description: 'Crossings per line and class during the interval.' },
      ),
    ),
  },
  {
    $id: 'vigil.telemetry.v1',
    title: 'Telemetry',
    description: 'Periodic per-camera measurements. May be thinned when a gateway has a backlog; events never are.',
    additionalProperties: false,
  },
);
export type Telemetry = Static<typeof Telemetry>;
