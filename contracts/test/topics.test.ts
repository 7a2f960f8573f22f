import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopic, topics } from '../src/index.js';

test('camera and gateway topics round-trip through parseTopic', () => {
  const t = topics.camera('hue', 'gw-1', 'cam-2', 'event');
  assert.equal(t, 'vigil/v1/hue/gw-1/cam-2/event');
  assert.deepEqual(parseTopic(t), { site: 'hue', gateway: 'gw-1', camera: 'cam-2', channel: 'event' });
  assert.deepEqual(parseTopic(topics.gateway('hue', 'gw-1', 'status')), { site: 'hue', gateway: 'gw-1', channel: 'status' });
});

test('ids that would break the topic tree are refused with the rule', () => {
  assert.throws(() => topics.camera('hue', 'gw/1', 'cam', 'event'), /gateway "gw\/1" cannot be a topic level/);
  assert.throws(() => topics.camera('hue', 'gw-1', 'cam #2', 'event'), /camera/);
});

test('topics outside the contract parse to null', () => {
  for (const t of ['vigil/v2/hue/gw/cam/event', 'vigil/v1/hue/gw/cam/other', 'other/v1/a/b/c/event', 'vigil/v1/hue/gw', 'vigil/v1/Hue/gw/cam/event']) {
    assert.equal(parseTopic(t), null, t);
  }
});

test('ingest filters become MQTT 5 shared subscriptions when a group is given', () => {
  assert.ok(topics.ingestFilters('ingest').every((f) => f.startsWith('$share/ingest/vigil/v1/')));
  assert.ok(topics.ingestFilters().includes('vigil/v1/+/+/+/event'));
  assert.equal(topics.gatewayScope('hue', 'gw-1'), 'vigil/v1/hue/gw-1/#');
});
