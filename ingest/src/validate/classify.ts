import {
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeEvidenceFrame,
  decodeMessage,
  formatIssues,
  isEvidenceFrame,
  parseTopic,
  validateMessage,
  type EvidenceChunk,
  type GatewayHealth,
  type GatewayStatus,
  type Telemetry,
  type VigilEvent,
} from '@vigil/contracts';

export type IngestMessage =
  | { kind: 'event'; value: VigilEvent }
  | { kind: 'telemetry'; value: Telemetry }
  | { kind: 'gateway-status'; value: GatewayStatus }
  | { kind: 'gateway-health'; value: GatewayHealth }
  | { kind: 'evidence-chunk'; value: EvidenceChunk; data: Uint8Array };

export type Classified = { ok: true; message: IngestMessage } | { ok: false; reason: string };

/**
 * Decides what a received message is and checks it against the contract. Never throws: whatever is
 * wrong becomes a reason for the dead-letter table. The topic must agree with the payload (a gateway
 * cannot publish for another one, whatever its ACL allows).
 */
export function classify(topic: string, payload: Uint8Array, userProperties: Record<string, string | string[]> | undefined, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): Classified {
  const t = parseTopic(topic);
  if (!t) return { ok: false, reason: `topic "${truncate(topic, 200)}" is not in the vigil/v1 contract` };
  if ('camera' in t) {
    if (t.channel === 'evidence') return classifyChunk(payload, userProperties);
    const kind = t.channel === 'event' ? 'event' : 'telemetry';
    const r = decodeMessage(kind, payload, maxBytes);
    if (!r.ok) return { ok: false, reason: formatIssues(r.issues) };
    const v = r.value as { site: string; gateway: string; camera: string };
    if (v.site !== t.site || v.gateway !== t.gateway || v.camera !== t.camera) {
      return { ok: false, reason: `payload names ${v.site}/${v.gateway}/${v.camera} but was published on ${topic}` };
    }
    return { ok: true, message: { kind, value: r.value } as IngestMessage };
  }
  if (t.channel === 'config') return { ok: false, reason: 'config is published by the centre; ingest does not consume it' };
  const kind = t.channel === 'status' ? 'gateway-status' : 'gateway-health';
  const r = decodeMessage(kind, payload, maxBytes);
  if (!r.ok) return { ok: false, reason: formatIssues(r.issues) };
  const v = r.value as { site: string; gateway: string };
  if (v.site !== t.site || v.gateway !== t.gateway) return { ok: false, reason: `payload names ${v.site}/${v.gateway} but was published on ${topic}` };
  return { ok: true, message: { kind, value: r.value } as IngestMessage };
}

function classifyChunk(payload: Uint8Array, props: Record<string, string | string[]> | undefined): Classified {
  // MQTT 3.1.1 links have no user properties: the header is framed in front of the bytes instead.
  if (!props?.sha256 && isEvidenceFrame(payload)) {
    try {
      const { header, bytes } = decodeEvidenceFrame(payload);
      if (header.index >= header.count) return { ok: false, reason: `evidence chunk /index ${header.index} is not below /count ${header.count}` };
      return { ok: true, message: { kind: 'evidence-chunk', value: header, data: bytes } };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }
  const one = (k: string) => {
    const v = props?.[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const num = (k: string) => (one(k) === undefined || one(k) === '' ? one(k) : Number(one(k)));
  const header = { sha256: one('sha256'), content_type: one('content_type'), bytes: num('bytes'), index: num('index'), count: num('count') };
  const r = validateMessage('evidence-chunk', header);
  if (!r.ok) return { ok: false, reason: `evidence chunk user properties: ${formatIssues(r.issues)}` };
  if (r.value.index >= r.value.count) return { ok: false, reason: `evidence chunk /index ${r.value.index} is not below /count ${r.value.count}` };
  return { ok: true, message: { kind: 'evidence-chunk', value: r.value, data: payload } };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}
