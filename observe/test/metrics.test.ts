import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, createMetricsRegistry, serveMetrics } from '../src/metrics.js';

test('serveMetrics exposes a registry in Prometheus text format over real HTTP', async () => {
  const registry = createMetricsRegistry('test', false);
  const c = new Counter({ name: 'vigil_test_frames_total', help: 'frames', labelNames: ['camera'], registers: [registry] });
  c.inc({ camera: 'cam-1' }, 3);
  const served = await serveMetrics(registry, 0);
  try {
    const body = await (await fetch(served.url)).text();
    assert.match(body, /vigil_test_frames_total\{camera="cam-1",process="test"\} 3/);
    assert.equal((await fetch(served.url.replace('/metrics', '/other'))).status, 404);
  } finally {
    await served.close();
  }
});
