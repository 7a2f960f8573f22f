import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEvidenceFrame, encodeEvidenceFrame, isEvidenceFrame } from '../src/index.js';

const header = { sha256: 'ab'.repeat(32), content_type: 'image/jpeg', bytes: 5, index: 0, count: 1 };

test('an evidence frame round-trips header and bytes', () => {
  const frame = encodeEvidenceFrame(header, Buffer.from([1, 2, 3, 4, 5]));
  assert.ok(isEvidenceFrame(frame));
  const { header: h, bytes } = decodeEvidenceFrame(frame);
  assert.deepEqual(h, header);
  assert.deepEqual([...bytes], [1, 2, 3, 4, 5]);
});

test('raw bytes, truncated frames and bad headers are refused with a reason', () => {
  assert.throws(() => decodeEvidenceFrame(Buffer.from('just a jpeg')), /neither MQTT 5 user properties nor a VGEV frame/);
  const frame = encodeEvidenceFrame(header, Buffer.alloc(0));
  assert.throws(() => decodeEvidenceFrame(frame.subarray(0, 12)), /claims \d+ bytes/);
  const bad = encodeEvidenceFrame({ ...header, index: -1 }, Buffer.alloc(0));
  assert.throws(() => decodeEvidenceFrame(bad), /\/index must be >= 0/);
});
