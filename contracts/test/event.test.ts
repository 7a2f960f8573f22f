import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, EVENT_TYPES, exampleFloodEvent, exampleRedLightEvent, exampleTelemetry, validateMessage, assertMessage } from '../src/index.js';

test('example events and telemetry satisfy the contract', () => {
  for (const e of [exampleFloodEvent(), exampleRedLightEvent()]) {
    const r = validateMessage('event', e);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  }
  assert.ok(validateMessage('telemetry', exampleTelemetry()).ok);
});

test('the event types named in the issue all exist', () => {
  for (const t of ['flood_level', 'flood', 'fire', 'smoke', 'forest_fire', 'straw_burning', 'red_light', 'wrong_way', 'illegal_stopping', 'lane_violation', 'speeding', 'no_helmet', 'camera_offline', 'camera_tampered']) {
    assert.ok(EVENT_TYPES.includes(t as never), t);
  }
});

test('a bad attribute is reported at its exact path, checked against the schema of the event type', () => {
  const e = exampleFloodEvent();
  (e.attributes as Record<string, unknown>).water_level_cm = 'deep';
  const r = validateMessage('event', e);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.issues.some((i) => i.path === '/attributes/water_level_cm'), JSON.stringify(!r.ok && r.issues));
});

test('attributes of one type are rejected on another type', () => {
  const e = { ...exampleRedLightEvent(), attributes: exampleFloodEvent().attributes };
  const r = validateMessage('event', e);
  assert.ok(!r.ok);
  const paths = r.issues.map((i) => i.path);
  assert.ok(paths.includes('/attributes/vehicle_class'), paths.join());
  assert.ok(paths.includes('/attributes/water_level_cm'), paths.join());
});

test('unknown fields, bad boxes and unknown types are named', () => {
  const e = { ...exampleRedLightEvent(), extra: 1, type: 'meteor', boxes: [{ x1: 0.1, y1: 0.1, x2: 1.4, y2: 0.5 }] };
  const r = validateMessage('event', e);
  assert.ok(!r.ok);
  const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
  assert.equal(byPath['/extra'], 'is not a known field');
  assert.match(byPath['/type'] ?? '', /must be one of .*"flood_level"/);
  assert.match(byPath['/boxes/0/x2'] ?? '', /<= 1/);
});

test('decodeMessage rejects bad JSON, oversized payloads and unknown versions without throwing', () => {
  const bad = decodeMessage('event', '{"v":1,');
  assert.ok(!bad.ok && /not valid JSON/.test(bad.issues[0]!.message));
  const big = decodeMessage('event', Buffer.alloc(300_000, 32));
  assert.ok(!big.ok && /over the 262144-byte limit/.test(big.issues[0]!.message));
  const v2 = decodeMessage('event', JSON.stringify({ ...exampleFloodEvent(), v: 2 }));
  assert.ok(!v2.ok && v2.issues[0]!.path === '/v' && /not supported/.test(v2.issues[0]!.message));
  const good = decodeMessage('event', Buffer.from(JSON.stringify(exampleFloodEvent())));
  assert.ok(good.ok);
});

test('assertMessage throws a coded error listing the bad paths', () => {
  assert.throws(
    () => assertMessage('telemetry', { ...exampleTelemetry(), fps: -1 }),
    (err: Error & { code?: string }) => err.code === 'VIGIL_ERR_CONTRACT_INVALID' && /\/fps must be >= 0/.test(err.message),
  );
});

test('ULIDs and timestamps are checked', () => {
  const r = validateMessage('event', { ...exampleFloodEvent(), id: 'not-a-ulid', frame_at: 'yesterday' });
  assert.ok(!r.ok);
  const paths = r.issues.map((i) => i.path);
  assert.deepEqual(paths.sort(), ['/frame_at', '/id']);
});
