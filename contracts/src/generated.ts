import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { EVENT_TYPES, EventAttributes } from './event.js';
import { GatewayConfig } from './config/schema.js';
import { renderConfigReference } from './config/reference.js';
import { MESSAGE_SCHEMAS } from './validate.js';

/**
 * Files generated from the contract, by path relative to the repo root. A test regenerates them in
 * memory and compares, so docs/ can never drift from the code: run `npm run generate` after a change.
 */
export function generatedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(MESSAGE_SCHEMAS)) {
    files[`docs/contract/${name}.schema.json`] = json({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema });
  }
  files['docs/contract/gateway-config-file.schema.json'] = json({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...GatewayConfig });
  files['docs/contract/asyncapi.yaml'] = stringify(asyncApiDocument(), { lineWidth: 0 });
  files['docs/configuration.md'] = renderConfigReference();
  return files;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

const message = (name: string, title: string, schemaFile: string, summary: string) => ({
  name,
  title,
  summary,
  contentType: 'application/json',
  payload: { $ref: `./${schemaFile}` },
});

/** AsyncAPI 3.0: the topic tree, who publishes what, QoS and retain flags. */
export function asyncApiDocument(): Record<string, unknown> {
  const params = {
    site: { description: 'Site (city or district) id.' },
    gateway: { description: 'Gateway id.' },
    camera: { description: 'Camera id.' },
  };
  const cameraParams = params;
  const gatewayParams = { site: params.site, gateway: params.gateway };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Vigil MQTT contract',
      version: '1.0.0',
      description: [
        'Topics and payloads between Vigil edge gateways and the centre. Generated from contracts/src: do not edit.',
        '',
        `Event types: ${EVENT_TYPES.join(', ')}.`,
        '',
        'Events carry a ULID id (ingest de-duplicates on it) and a per-gateway sequence number (gaps are lost events).',
        'Everything is published with QoS 1. Ingest subscribes with MQTT 5 shared subscriptions: `$share/ingest/vigil/v1/+/+/+/event`.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      central: { host: 'broker.example:8883', protocol: 'mqtts', protocolVersion: '5', description: 'Central broker (Mosquitto or EMQX).' },
    },
    channels: {
      event: {
        address: 'vigil/v1/{site}/{gateway}/{camera}/event',
        description: 'One message per phase (start, update, end) of an incident. QoS 1, not retained.',
        parameters: cameraParams,
        messages: { event: message('event', 'Event', 'event.schema.json', 'Something a camera saw.') },
      },
      telemetry: {
        address: 'vigil/v1/{site}/{gateway}/{camera}/telemetry',
        description: 'Periodic camera measurements. QoS 1; may be thinned when a gateway has a backlog.',
        parameters: cameraParams,
        messages: { telemetry: message('telemetry', 'Telemetry', 'telemetry.schema.json', 'fps, latency, water level, counts, health.') },
      },
      evidence: {
        address: 'vigil/v1/{site}/{gateway}/{camera}/evidence',
        description: 'Evidence files in chunks: raw bytes as payload, the chunk header in MQTT 5 user properties. QoS 1.',
        parameters: cameraParams,
        messages: {
          evidenceChunk: {
            name: 'evidenceChunk',
            title: 'Evidence chunk',
            contentType: 'application/octet-stream',
            headers: { $ref: './evidence-chunk.schema.json' },
            payload: { type: 'string', format: 'binary' },
          },
        },
      },
      status: {
        address: 'vigil/v1/{site}/{gateway}/status',
        description: 'Retained online/offline. "offline" is the Last Will, published by the broker when the gateway drops.',
        parameters: gatewayParams,
        messages: { status: message('status', 'Gateway status', 'gateway-status.schema.json', 'Retained, with Last Will.') },
      },
      health: {
        address: 'vigil/v1/{site}/{gateway}/health',
        description: 'Periodic gateway health. QoS 1.',
        parameters: gatewayParams,
        messages: { health: message('health', 'Gateway health', 'gateway-health.schema.json', 'cpu, memory, disk, cameras, outbox, versions.') },
      },
      config: {
        address: 'vigil/v1/{site}/{gateway}/config',
        description: 'Retained remote config, published by the centre. The gateway keeps the last good config if a new one is bad.',
        parameters: gatewayParams,
        messages: { config: message('config', 'Gateway config', 'gateway-config.schema.json', 'YAML config text with a revision.') },
      },
    },
    operations: {
      publishEvent: { action: 'send', channel: { $ref: '#/channels/event' }, summary: 'Gateway publishes events (QoS 1).' },
      publishTelemetry: { action: 'send', channel: { $ref: '#/channels/telemetry' }, summary: 'Gateway publishes telemetry.' },
      publishEvidence: { action: 'send', channel: { $ref: '#/channels/evidence' }, summary: 'Gateway publishes evidence chunks.' },
      publishStatus: { action: 'send', channel: { $ref: '#/channels/status' }, summary: 'Gateway publishes retained status; the broker sends its Last Will.' },
      publishHealth: { action: 'send', channel: { $ref: '#/channels/health' }, summary: 'Gateway publishes health.' },
      receiveConfig: { action: 'receive', channel: { $ref: '#/channels/config' }, summary: 'Gateway receives retained config.' },
    },
    components: {
      schemas: Object.fromEntries(EVENT_TYPES.map((t) => [`attributes_${t}`, EventAttributes[t]])),
    },
  };
}

/** Writes every generated file under the repo root; returns their paths. */
export function writeGeneratedFiles(repoRoot: string): string[] {
  const written: string[] = [];
  for (const [path, content] of Object.entries(generatedFiles())) {
    const full = join(repoRoot, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    written.push(path);
  }
  return written;
}
