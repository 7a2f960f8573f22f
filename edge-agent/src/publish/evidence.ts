import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { assertMessage, encodeEvidenceFrame, topics, type EvidenceChunk } from '@vigil/contracts';
import type { FileSlice, OutboxInput } from './outbox.js';

/**
 * Evidence goes over MQTT as binary chunks (docs/evidence-transport.md says why). 128 KiB keeps each
 * chunk well under ingest's 256 KiB message limit and Mosquitto's defaults, and a lost link costs at
 * most one chunk's resend.
 */
export const DEFAULT_CHUNK_BYTES = 128 * 1024;

export interface EvidenceFile {
  site: string;
  gateway: string;
  camera: string;
  path: string;
  contentType: string;
  chunkBytes?: number;
}

export interface EvidencePlan {
  sha256: string;
  bytes: number;
  count: number;
  inputs: OutboxInput[];
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * One outbox row per chunk. The rows reference the file (path, offset, length); the bytes are read
 * when the chunk is sent, so a backlog of clips costs disk, not memory. The header rides in MQTT 5
 * user properties as strings (EvidenceChunk, numbers in decimal).
 */
export async function planEvidence(file: EvidenceFile): Promise<EvidencePlan> {
  const chunkBytes = file.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const { size } = await stat(file.path);
  const sha256 = await sha256File(file.path);
  const count = Math.max(1, Math.ceil(size / chunkBytes));
  const topic = topics.camera(file.site, file.gateway, file.camera, 'evidence');
  const inputs: OutboxInput[] = [];
  for (let index = 0; index < count; index++) {
    const header: EvidenceChunk = { sha256, content_type: file.contentType, bytes: size, index, count };
    const offset = index * chunkBytes;
    inputs.push({
      kind: 'evidence',
      camera: file.camera,
      topic,
      payload: new Uint8Array(0),
      file: { path: file.path, offset, length: Math.min(chunkBytes, size - offset) },
      properties: evidenceProperties(header),
      contentType: file.contentType,
    });
  }
  return { sha256, bytes: size, count, inputs };
}

export function evidenceProperties(h: EvidenceChunk): Record<string, string> {
  return { sha256: h.sha256, content_type: h.content_type, bytes: String(h.bytes), index: String(h.index), count: String(h.count) };
}

/** Reads a user-property header back into an EvidenceChunk (what ingest does); numbers parsed. */
export function parseEvidenceProperties(props: Record<string, string | string[]> | undefined): Partial<EvidenceChunk> {
  const one = (k: string) => {
    const v = props?.[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const num = (k: string) => (one(k) === undefined ? undefined : Number(one(k)));
  const out: Partial<EvidenceChunk> = {};
  if (one('sha256') !== undefined) out.sha256 = one('sha256')!;
  if (one('content_type') !== undefined) out.content_type = one('content_type')!;
  for (const k of ['bytes', 'index', 'count'] as const) {
    const n = num(k);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** For MQTT 3.1.1 links: the header from the row's user properties, framed in front of the bytes. */
export function frameEvidenceChunk(properties: Record<string, string>, bytes: Uint8Array): Buffer {
  return encodeEvidenceFrame(assertMessage('evidence-chunk', parseEvidenceProperties(properties)), bytes);
}

/** Reads one chunk's bytes when it is sent. Throws ENOENT if retention removed the file. */
export async function readSlice(slice: FileSlice): Promise<Buffer> {
  const handle = await open(slice.path, 'r');
  try {
    const buf = Buffer.alloc(slice.length);
    let done = 0;
    while (done < slice.length) {
      const { bytesRead } = await handle.read(buf, done, slice.length - done, slice.offset + done);
      if (bytesRead === 0) throw new Error(`evidence file ${slice.path} is shorter than expected (changed after it was queued)`);
      done += bytesRead;
    }
    return buf;
  } finally {
    await handle.close();
  }
}
