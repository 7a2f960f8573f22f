import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetricsRegistry } from '@vigil/observe';
import { ffmpegSkip, makeClip } from '@vigil/testkit';
import { FfmpegCameraSource, ReconnectBackoff } from '../../src/source/index.js';

const CAMERAS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('8 cameras, one slow consumer each: newest frame delivered, drops counted, memory bounded', { skip: ffmpegSkip() }, async (t) => {
  const clip = makeClip({ seconds: 10, width: 320, height: 180, fps: 10 });
  const registry = createMetricsRegistry('test', false);
  // 640x360 rgb24 frames (691 kB): queueing instead of dropping would grow by ~55 MB a second here.
  const sources = Array.from(
    { length: CAMERAS },
    (_, i) =>
      new FfmpegCameraSource({
        camera: `cam-${i}`,
        input: { url: clip, realtime: true, loop: true },
        output: { width: 640, height: 360, fps: 10, pixelFormat: 'rgb24', threads: 1 },
        stallS: 20,
        registry,
        backoff: new ReconnectBackoff({ initialMs: 200 }),
      }),
  );
  const delivered: number[][] = sources.map(() => []);
  let staleness = 0;
  let stop = false;
  const consumers = sources.map(async (s, i) => {
    for await (const f of s.frames()) {
      // the frame handed over is the newest decoded one (one more may be arriving on the pipe)
      staleness = Math.max(staleness, s.counters().decoded - 1 - f.seq);
      delivered[i]!.push(f.seq);
      await sleep(400); // analytics far slower than the camera's 10 fps
      if (stop) break;
    }
  });

  await sleep(2500);
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakBuffers = base.arrayBuffers;
  for (let t = 0; t < 12; t++) {
    await sleep(500);
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  }
  const running = sources.map((s) => s.counters());
  stop = true;
  await Promise.all(sources.map((s) => s.close()));
  await Promise.all(consumers);

  const mb = (b: number) => Math.round(b / 2 ** 20);
  t.diagnostic(`RSS growth ${mb(peakRss - base.rss)} MB, buffers peak ${mb(peakBuffers)} MB, staleness ${staleness}, counters ${JSON.stringify(running[0])}`);
  for (const [i, c] of running.entries()) {
    const seqs = delivered[i]!;
    assert.ok(c.decoded >= 40, `cam-${i} decoded ${c.decoded}`);
    assert.ok(c.dropped > c.delivered, `cam-${i}: most frames dropped (${c.dropped}) rather than queued (${c.delivered} delivered)`);
    // while running, the frame in the mailbox and one being handed over are neither delivered nor dropped yet
    assert.ok(c.delivered + c.dropped >= c.decoded - 2, `cam-${i}: every decoded frame is delivered or counted as dropped: ${JSON.stringify(c)}`);
    const jumps = seqs.slice(1).map((v, k) => v - seqs[k]!);
    assert.ok(jumps.every((j) => j >= 1) && jumps.some((j) => j >= 3), `cam-${i} seq jumps forward past dropped frames: ${jumps}`);
  }
  assert.ok(staleness <= 1, `delivered frames were at most one behind the newest, got ${staleness}`);
  // Bounded: a few frames per camera in flight plus garbage awaiting GC, against ~700 MB if queued.
  assert.ok(peakRss - base.rss < 150 * 2 ** 20, `RSS grew ${mb(peakRss - base.rss)} MB`);
  assert.ok(peakBuffers < 150 * 2 ** 20, `buffers peaked at ${mb(peakBuffers)} MB`);
  const text = await registry.metrics();
  assert.match(text, /vigil_source_frames_dropped_total\{camera="cam-7",process="test"\} [1-9]\d*/);
});
