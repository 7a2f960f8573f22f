import { VigilError } from './errors.js';
import type { EvidenceChunk } from './gateway.js';
import { validateMessage } from './validate.js';

/**
 * Evidence chunks on MQTT 3.1.1 links, which have no user properties: the header travels in front of
 * the bytes. Layout: "VGEV" magic, a 4-byte big-endian header length, the JSON EvidenceChunk header,
 * then the chunk's bytes. On MQTT 5 the header rides in user properties and the payload is raw bytes.
 */
const MAGIC = Buffer.from('VGEV');

export function encodeEvidenceFrame(header: EvidenceChunk, bytes: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json, bytes]);
}

export function isEvidenceFrame(payload: Uint8Array): boolean {
  return payload.length >= 8 && Buffer.from(payload.subarray(0, 4)).equals(MAGIC);
}

/** Splits a framed chunk into its validated header and bytes; throws a coded error on a bad frame. */
export function decodeEvidenceFrame(payload: Uint8Array): { header: EvidenceChunk; bytes: Buffer } {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (!isEvidenceFrame(buf)) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', 'evidence chunk has neither MQTT 5 user properties nor a VGEV frame header');
  const length = buf.readUInt32BE(4);
  if (8 + length > buf.length) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `evidence frame header claims ${length} bytes but the payload has ${buf.length - 8}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.subarray(8, 8 + length).toString('utf8'));
  } catch (err) {
    throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `evidence frame header is not JSON (${(err as Error).message})`);
  }
  const r = validateMessage('evidence-chunk', parsed);
  if (!r.ok) throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `evidence frame header breaks the contract: ${r.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  return { header: r.value, bytes: buf.subarray(8 + length) };
}
