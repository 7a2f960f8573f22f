import { Type, type Static } from '@sinclair/typebox';
import { CONTRACT_VERSION } from './event.js';
import { Slug, Timestamp } from './ids.js';
import { CameraState } from './telemetry.js';

export const GatewayStatus = Type.Object(
  {
    v: Type.Literal(CONTRACT_VERSION, { description: 'Contract version.' }),
    site: Slug('Site id.'),
    gateway: Slug('Gateway id.'),
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')], {
      description: 'Retained. "offline" is also the MQTT Last Will, sent by the broker when the link dies.',
    }),
    at: Timestamp('When the gateway connected (for the Last Will: when it last connected).'),
    agent_version: Type.String({ description: 'Edge agent version.' }),
  },
  { $id: 'vigil.gateway-status.v1', title: 'GatewayStatus', description: 'Retained online/offline state of a gateway.', additionalProperties: false },
);
export type GatewayStatus = Static<typeof GatewayStatus>;

export const GatewayHealth = Type.Object(
  {
    v: Type.Literal(CONTRACT_VERSION, { description: 'Contract version.' }),
    at: Timestamp('Sample time.'),
    site: Slug('Site id.'),
    gateway: Slug('Gateway id.'),
    cpu_ratio: Type.Number({ minimum: 0, description: 'CPU use over the interval, 1 = all cores busy.' }),
    memory_bytes: Type.Integer({ minimum: 0, description: 'Resident memory of the agent.' }),
    disk_free_bytes: Type.Integer({ minimum: 0, description: 'Free space on the storage volume.' }),
    cameras: Type.Array(
      Type.Object(
        { camera: Slug('Camera id.'), fps: Type.Number({ minimum: 0, description: 'Analysed fps.' }), state: CameraState },
        { additionalProperties: false },
      ),
      { description: 'Per-camera state.' },
    ),
    outbox: Type.Object(
      {
        depth: Type.Integer({ minimum: 0, description: 'Messages waiting to be acknowledged by the broker.' }),
        oldest_age_s: Type.Number({ minimum: 0, description: 'Age of the oldest waiting message.' }),
        bytes: Type.Integer({ minimum: 0, description: 'Disk used by the outbox.' }),
      },
      { additionalProperties: false, description: 'Store-and-forward backlog.' },
    ),
    versions: Type.Object(
      {
        agent: Type.String({ description: 'Edge agent version.' }),
        models: Type.Record(Type.String(), Type.String(), { description: 'Model name -> version.' }),
      },
      { additionalProperties: false, description: 'Software and model versions.' },
    ),
    config: Type.Optional(
      Type.Object(
        {
          revision: Type.Integer({ minimum: 0, description: 'Remote config revision in use (0 = the local file).' }),
          rejected: Type.Optional(
            Type.Object(
              {
                revision: Type.Integer({ minimum: 1, description: 'The revision that was refused.' }),
                at: Timestamp('When it was refused.'),
                reason: Type.String({ maxLength: 4000, description: 'Why, one problem per line (file:line:col path message).' }),
              },
              { additionalProperties: false, description: 'The last remote config the gateway refused; it kept running the last good one.' },
            ),
          ),
        },
        { additionalProperties: false, description: 'Remote config state.' },
      ),
    ),
  },
  { $id: 'vigil.gateway-health.v1', title: 'GatewayHealth', description: 'Periodic gateway health.', additionalProperties: false },
);
export type GatewayHealth = Static<typeof GatewayHealth>;

export const GatewayConfigMessage = Type.Object(
  {
    v: Type.Literal(CONTRACT_VERSION, { description: 'Contract version.' }),
    revision: Type.Integer({ minimum: 1, description: 'Monotonic revision; the gateway ignores older ones.' }),
    issued_at: Timestamp('When the centre published it.'),
    yaml: Type.String({ maxLength: 1_000_000, description: 'The gateway config file, as YAML text (same schema as on disk).' }),
  },
  {
    $id: 'vigil.gateway-config.v1',
    title: 'GatewayConfigMessage',
    description: 'Retained remote config. The gateway validates it, applies it, and keeps the last good one if it is bad.',
    additionalProperties: false,
  },
);
export type GatewayConfigMessage = Static<typeof GatewayConfigMessage>;

export const EvidenceChunk = Type.Object(
  {
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the whole file.' }),
    content_type: Type.String({ description: 'MIME type.' }),
    bytes: Type.Integer({ minimum: 0, description: 'Whole file size.' }),
    index: Type.Integer({ minimum: 0, description: 'Chunk number, from 0.' }),
    count: Type.Integer({ minimum: 1, description: 'Number of chunks.' }),
  },
  {
    $id: 'vigil.evidence-chunk.v1',
    title: 'EvidenceChunk',
    description:
      'Header of one evidence chunk, carried in MQTT 5 user properties; the payload is the raw bytes of the chunk.',
    additionalProperties: false,
  },
);
export type EvidenceChunk = Static<typeof EvidenceChunk>;
