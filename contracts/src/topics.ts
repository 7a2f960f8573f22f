import { VigilError } from './errors.js';
import { SLUG_PATTERN } from './ids.js';

/**
 * The topic tree. The version is a topic level so a v2 contract can run beside v1 during an upgrade;
 * site and gateway come first so broker ACLs can grant a gateway `vigil/v1/{site}/{gateway}/#` only.
 */
export const TOPIC_ROOT = 'vigil/v1';

export type CameraChannel = 'event' | 'telemetry' | 'evidence';
export type GatewayChannel = 'status' | 'health' | 'config';

export interface CameraTopic {
  site: string;
  gateway: string;
  camera: string;
  channel: CameraChannel;
}
export interface GatewayTopic {
  site: string;
  gateway: string;
  channel: GatewayChannel;
}

const slug = new RegExp(SLUG_PATTERN);

function checkLevel(name: string, value: string): string {
  if (!slug.test(value)) {
    throw new VigilError(
      'VIGIL_ERR_CONTRACT_TOPIC',
      `${name} "${value}" cannot be a topic level: use lower-case letters, digits, "-" or "_" (pattern ${SLUG_PATTERN}).`,
    );
  }
  return value;
}

export const topics = {
  camera(site: string, gateway: string, camera: string, channel: CameraChannel): string {
    return `${TOPIC_ROOT}/${checkLevel('site', site)}/${checkLevel('gateway', gateway)}/${checkLevel('camera', camera)}/${channel}`;
  },
  gateway(site: string, gateway: string, channel: GatewayChannel): string {
    return `${TOPIC_ROOT}/${checkLevel('site', site)}/${checkLevel('gateway', gateway)}/${channel}`;
  },
  /** Everything one gateway may publish: the ACL pattern in deploy/mosquitto. */
  gatewayScope(site: string, gateway: string): string {
    return `${TOPIC_ROOT}/${checkLevel('site', site)}/${checkLevel('gateway', gateway)}/#`;
  },
  /** Filters ingest subscribes to. `group` makes it an MQTT 5 shared subscription, split across workers. */
  ingestFilters(group?: string): string[] {
    const filters = [
      `${TOPIC_ROOT}/+/+/+/event`,
      `${TOPIC_ROOT}/+/+/+/telemetry`,
      `${TOPIC_ROOT}/+/+/+/evidence`,
      `${TOPIC_ROOT}/+/+/status`,
      `${TOPIC_ROOT}/+/+/health`,
    ];
    return group ? filters.map((f) => `$share/${checkLevel('share group', group)}/${f}`) : filters;
  },
};

const CAMERA_CHANNELS = new Set<string>(['event', 'telemetry', 'evidence']);
const GATEWAY_CHANNELS = new Set<string>(['status', 'health', 'config']);

/** Parses a received topic; returns null for topics outside the contract (they go to dead letters). */
export function parseTopic(topic: string): CameraTopic | GatewayTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== 'vigil' || parts[1] !== 'v1') return null;
  if (parts.length === 6 && CAMERA_CHANNELS.has(parts[5]!)) {
    const [, , site, gateway, camera, channel] = parts as [string, string, string, string, string, CameraChannel];
    if (![site, gateway, camera].every((p) => slug.test(p))) return null;
    return { site, gateway, camera, channel };
  }
  if (parts.length === 5 && GATEWAY_CHANNELS.has(parts[4]!)) {
    const [, , site, gateway, channel] = parts as [string, string, string, string, GatewayChannel];
    if (![site, gateway].every((p) => slug.test(p))) return null;
    return { site, gateway, channel };
  }
  return null;
}
