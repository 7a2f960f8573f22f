import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { ManualClock } from '@vigil/observe';
import { mosquittoSkip, startMosquitto, waitFor } from '@vigil/testkit';
import { MqttSignalSource, parseSignalMessage } from '../../src/analytics/traffic/signal/mqtt-signal.js';

test('signal messages: bare names, JSON with a time, aliases, and clear problems', () => {
  assert.deepEqual(parseSignalMessage('red', 5), { phase: 'red', at: 5 });
  assert.deepEqual(parseSignalMessage(' YELLOW\n', 5), { phase: 'amber', at: 5 });
  assert.deepEqual(parseSignalMessage('{"phase":"green","at":"2026-11-22T08:00:00.000Z"}', 5), { phase: 'green', at: Date.UTC(2026, 10, 22, 8) });
  assert.deepEqual(parseSignalMessage('"red"', 5), { phase: 'red', at: 5 });
  assert.match((parseSignalMessage('purple', 5) as { problem: string }).problem, /send "red", "amber", "green"/);
  assert.match((parseSignalMessage('{"phase":"red","at":"soon"}', 5) as { problem: string }).problem, /"at" is not a time/);
});

test('MqttSignalSource follows the controller over a real broker and survives bad messages', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  // FakeSignalController: stands in for the junction's signal controller, which has no open-source build.
  const controller = await mqtt.connectAsync(broker.url);
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 8));
  const topic = 'hanoi/signals/ly-thuong-kiet/phase';
  const source = await MqttSignalSource.connect({ url: broker.url, topic, clock });
  try {
    const t0 = Date.UTC(2026, 10, 22, 8);
    await controller.publishAsync(topic, JSON.stringify({ phase: 'green', at: new Date(t0).toISOString() }), { qos: 1 });
    await controller.publishAsync(topic, JSON.stringify({ phase: 'amber', at: new Date(t0 + 30_000).toISOString() }), { qos: 1 });
    await controller.publishAsync(topic, 'garbage', { qos: 1 });
    await controller.publishAsync(topic, JSON.stringify({ phase: 'red', at: new Date(t0 + 33_000).toISOString() }), { qos: 1 });
    // Late message from before the last change: ignored.
    await controller.publishAsync(topic, JSON.stringify({ phase: 'green', at: new Date(t0 + 10_000).toISOString() }), { qos: 1 });
    clock.advance(60_000);
    await controller.publishAsync(topic, 'green', { qos: 1 }); // dated on arrival: t0 + 60 s
    await waitFor('four signal changes', async () => source.changes().length === 4, 5000);
    assert.deepEqual(
      source.changes().map((c) => [c.phase, c.at - t0]),
      [
        ['green', 0],
        ['amber', 30_000],
        ['red', 33_000],
        ['green', 60_000],
      ],
    );
    assert.deepEqual(source.phaseAt(t0 + 40_500), { phase: 'red', since: t0 + 33_000, secondsIntoRed: 7.5 });
    assert.equal(source.phaseAt(t0 + 31_000).phase, 'amber');
  } finally {
    await source.close();
    await controller.endAsync();
    await broker.stop();
  }
});
