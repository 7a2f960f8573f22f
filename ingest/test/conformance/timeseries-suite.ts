import assert from 'node:assert/strict';
import { test } from 'node:test';
import { int, type TimeSeriesWriter } from '../../src/index.js';

/** One suite for every TimeSeriesWriter: InfluxDB (through its disk buffer) and the embedded SQLite one. */
export function timeSeriesConformance(name: string, make: () => Promise<{ writer: TimeSeriesWriter; close(): Promise<void> }>, options: { skip?: string | false } = {}): void {
  const t = (title: string, fn: (w: TimeSeriesWriter) => Promise<void>) =>
    test(`${name}: ${title}`, { skip: options.skip ?? false }, async () => {
      const f = await make();
      try {
        await fn(f.writer);
      } finally {
        await f.close();
      }
    });
  const t0 = Date.parse('2026-11-22T03:00:00.000Z');

  t('points come back with tags, float, integer, string and boolean fields', async (w) => {
    await w.write([
      { measurement: 'flood_level', tags: { site: 'hue', camera: 'kim-long' }, fields: { water_level_cm: 32.5, level: 'warning', gauge_visible: true, frames: int(7) }, time: t0 },
      { measurement: 'flood_level', tags: { site: 'hue', camera: 'kim-long' }, fields: { water_level_cm: 35, level: 'danger', gauge_visible: false, frames: int(8) }, time: t0 + 1000 },
      { measurement: 'other', tags: { site: 'hue' }, fields: { x: 1 }, time: t0 },
    ]);
    await w.flush(20_000);
    assert.equal(w.pending(), 0);
    const got = await w.query('flood_level', { from: t0, to: t0 + 2000 });
    assert.deepEqual(got, [
      { measurement: 'flood_level', tags: { site: 'hue', camera: 'kim-long' }, fields: { water_level_cm: 32.5, level: 'warning', gauge_visible: true, frames: 7 }, time: t0 },
      { measurement: 'flood_level', tags: { site: 'hue', camera: 'kim-long' }, fields: { water_level_cm: 35, level: 'danger', gauge_visible: false, frames: 8 }, time: t0 + 1000 },
    ]);
  });

  t('special characters in names, tags and strings survive line protocol', async (w) => {
    const tags = { camera: 'cầu Trường Tiền, cổng=1', site: 'hue' };
    await w.write([{ measurement: 'camera telemetry,x', tags, fields: { 'reason text': 'say "hi" \\ bye', n: int(-3) }, time: t0 }]);
    await w.flush(20_000);
    const got = await w.query('camera telemetry,x', { from: t0, to: t0 + 1 });
    assert.deepEqual(got.map((p) => [p.tags, p.fields]), [[tags, { 'reason text': 'say "hi" \\ bye', n: -3 }]]);
  });

  t('the same series and time written twice is one point (replays are harmless)', async (w) => {
    const p = { measurement: 'replay', tags: { camera: 'c1' }, fields: { v: 1.5 }, time: t0 };
    await w.write([p]);
    await w.write([p, { ...p, tags: { camera: 'c2' } }]);
    await w.flush(20_000);
    const got = await w.query('replay', { from: t0 - 1, to: t0 + 1 });
    assert.equal(got.length, 2);
    assert.deepEqual(got.map((g) => g.tags.camera).sort(), ['c1', 'c2']);
  });

  t('queries filter by time range and tags', async (w) => {
    await w.write(Array.from({ length: 20 }, (_, i) => ({ measurement: 'range', tags: { camera: i % 2 ? 'odd' : 'even' }, fields: { i: int(i) }, time: t0 + i * 1000 })));
    await w.flush(20_000);
    const got = await w.query('range', { from: t0 + 5000, to: t0 + 10_000 }, { camera: 'odd' });
    assert.deepEqual(got.map((p) => p.fields.i), [5, 7, 9]);
  });

  t('a batch of 12,000 points is delivered whole', async (w) => {
    await w.write(Array.from({ length: 12_000 }, (_, i) => ({ measurement: 'bulk', tags: { camera: `c${i % 3}` }, fields: { v: i }, time: t0 + i })));
    await w.flush(60_000);
    assert.equal((await w.query('bulk', { from: t0, to: t0 + 12_000 })).length, 12_000);
  });
}
