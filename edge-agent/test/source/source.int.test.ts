import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VigilError } from '@vigil/contracts';
import { createMetricsRegistry } from '@vigil/observe';
import { ffmpegSkip, makeClip, rtspSkip, startRtspServer, waitFor } from '@vigil/testkit';
import { FfmpegCameraSource, ReconnectBackoff, describeFfmpeg, type FfmpegSourceOptions, type Frame, type SourceStatus } from '../../src/source/index.js';
import { renderClip } from '../clips.js';

const small = { width: 160, height: 90, fps: 10, pixelFormat: 'rgb24' as const };
const fastBackoff = () => new ReconnectBackoff({ initialMs: 200, maxMs: 1000 });

function source(options: Partial<FfmpegSourceOptions> & Pick<FfmpegSourceOptions, 'input'>) {
  return new FfmpegCameraSource({ camera: 'cam-1', output: small, stallS: 10, backoff: fastBackoff(), ...options });
}

/** Reads frames in the background until stopped; returns what it saw. */
function consume(s: FfmpegCameraSource, perFrame?: (f: Frame) => Promise<void> | void) {
  const seen: Frame[] = [];
  let error: unknown;
  const done = (async () => {
    try {
      for await (const f of s.frames()) {
        seen.push({ ...f, data: Buffer.alloc(0) });
        await perFrame?.(f);
      }
    } catch (err) {
      error = err;
    }
  })();
  return { seen, done, error: () => error };
}

test('a file offline: every frame, in order, at the detect size, then the end', { skip: ffmpegSkip() }, async () => {
  const clip = makeClip({ seconds: 3, width: 320, height: 180, fps: 10 });
  const registry = createMetricsRegistry('test', false);
  const s = source({ input: { url: clip, realtime: false }, delivery: 'every', registry });
  const frames: Frame[] = [];
  for await (const f of s.frames()) {
    await new Promise((r) => setTimeout(r, 5)); // a consumer slower than ffmpeg: 'every' must not drop
    frames.push(f);
  }
  assert.equal(frames.length, 30, 'the last frame is not lost to the end of the stream');
  assert.deepEqual(frames.map((f) => f.seq), [...Array(30).keys()]);
  assert.equal(frames[0]!.data.length, 160 * 90 * 3);
  assert.equal(frames[10]!.ptsMs, 1000, 'offline frames carry video time');
  assert.equal(frames[10]!.at - frames[0]!.at, 1000);
  assert.notDeepEqual(frames[0]!.data, frames[5]!.data, 'testsrc2 moves');
  assert.deepEqual(s.counters(), { decoded: 30, delivered: 30, dropped: 0, decodeErrors: 0, restarts: 0 });
  assert.equal(s.status().state, 'ended');
  const text = await registry.metrics();
  assert.match(text, /vigil_source_frames_decoded_total\{camera="cam-1",process="test"\} 30\n/);
  assert.match(text, /vigil_source_frames_delivered_total\{camera="cam-1",process="test"\} 30\n/);
});

test('the 2018 npm ffmpeg fallback takes our arguments too', { skip: ffmpegSkip() }, async () => {
  const npm = describeFfmpeg((await import('@ffmpeg-installer/ffmpeg')).default.path, 'npm');
  assert.equal(npm.flavour.modern, false);
  const clip = makeClip({ seconds: 2, width: 320, height: 180, fps: 10 });
  const s = source({ input: { url: clip, realtime: false }, delivery: 'every', ffmpeg: npm });
  let n = 0;
  for await (const f of s.frames()) n += f.data.length === 160 * 90 * 3 ? 1 : 0;
  assert.equal(n, 20);
});

test('a truncated file: a clear error naming the file and the cause, no crash', { skip: ffmpegSkip() }, async () => {
  const clip = makeClip({ seconds: 3, width: 320, height: 180, fps: 10 });
  const truncated = join(tmpdir(), `vigil-truncated-${process.pid}.mp4`);
  writeFileSync(truncated, readFileSync(clip).subarray(0, 20_000)); // moov is at the end: cut off
  const statuses: SourceStatus[] = [];
  const s = source({ input: { url: truncated, realtime: false } });
  s.onStatus((st) => statuses.push(st));
  await assert.rejects(
    async () => {
      for await (const _ of s.frames());
    },
    (err: unknown) => {
      assert.ok(err instanceof VigilError);
      assert.equal(err.code, 'VIGIL_ERR_SOURCE_FAILED');
      assert.match(err.message, /vigil-truncated-.*moov atom not found.*truncated, corrupt or not a video/);
      return true;
    },
  );
  assert.equal(statuses.at(-1)?.state, 'offline');
  await assert.rejects(async () => {
    for await (const _ of source({ input: { url: '/nonexistent/clip.mp4', realtime: false } }).frames());
  }, /not_found \(\/nonexistent\/clip.mp4: No such file or directory\); check the path/);
});

test('a file cut in the middle (moov first): the frames before the cut, decode errors counted, a clean end', { skip: ffmpegSkip() }, async () => {
  const clip = renderClip('faststart', 'testsrc2=size=320x180:rate=10', 4, { movflags: '+faststart' });
  const cut = join(tmpdir(), `vigil-cut-${process.pid}.mp4`);
  const bytes = readFileSync(clip);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const s = source({ input: { url: cut, realtime: false }, delivery: 'every' });
  let n = 0;
  for await (const _ of s.frames()) n++;
  assert.ok(n > 5 && n < 40, `some but not all frames, got ${n}`);
  assert.ok(s.counters().decodeErrors > 0, 'the damage is counted');
});

test('RTSP: server killed mid-stream and restarted -> offline, then frames resume', { skip: rtspSkip() || ffmpegSkip() }, async () => {
  const clip = makeClip({ seconds: 60, width: 320, height: 180, fps: 10, gop: 5 });
  const server = await startRtspServer({ clip });
  const statuses: SourceStatus[] = [];
  const s = source({ input: { url: server.url, transport: 'tcp', timeoutS: 3 }, stallS: 3 });
  s.onStatus((st) => statuses.push(st));
  const run = consume(s);
  try {
    await waitFor('run.seen.length >= 10', async () => run.seen.length >= 10, 20_000);
    await server.kill();
    await waitFor("s.status().state === 'offline'", async () => s.status().state === 'offline', 15_000);
    const before = run.seen.length;
    await server.restart();
    await waitFor('run.seen.length >= before + 10', async () => run.seen.length >= before + 10, 30_000);
    assert.ok(s.counters().restarts >= 1);
    const states = statuses.map((x) => x.state);
    assert.equal(states[0], 'ok');
    assert.ok(states.includes('offline'));
    assert.equal(s.status().state, 'ok', JSON.stringify(statuses));
    const seqs = run.seen.map((f) => f.seq);
    assert.ok(seqs.every((v, i) => i === 0 || v > seqs[i - 1]!), 'seq keeps rising across the reconnect');
  } finally {
    await s.close();
    await run.done;
    await server.stop();
  }
});

test('RTSP: a wrong path is reported as not_found, wrong credentials as auth_failed', { skip: rtspSkip() || ffmpegSkip() }, async () => {
  const clip = makeClip({ seconds: 20, width: 320, height: 180, fps: 10 });
  const server = await startRtspServer({ clip, user: 'hue', password: 's3cret' });
  const cases = [
    { url: server.url.replace('/cam', '/nope'), reason: 'not_found' },
    { url: server.url.replace('s3cret', 'wrong'), reason: 'auth_failed' },
  ];
  try {
    for (const c of cases) {
      const s = source({ input: { url: c.url, timeoutS: 3 } });
      const run = consume(s);
      await waitFor("s.status().state === 'offline'", async () => s.status().state === 'offline', 15_000);
      const st = s.status();
      assert.equal(st.reason, c.reason, JSON.stringify(st));
      assert.ok(st.detail && !st.detail.includes('s3cret') && !st.detail.includes('wrong'), `no credentials in ${st.detail}`);
      await s.close();
      await run.done;
      assert.equal(run.seen.length, 0);
    }
  } finally {
    await server.stop();
  }
});

test('a server that accepts and then says nothing: the stall watchdog restarts ffmpeg with backoff', { skip: ffmpegSkip() }, async () => {
  const sockets: Socket[] = [];
  const silent = createServer((sock) => sockets.push(sock));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const statuses: SourceStatus[] = [];
  const s = source({ input: { url: `rtsp://127.0.0.1:${port}/cam`, timeoutS: 60 }, stallS: 1, firstFrameGraceMs: 200 });
  s.onStatus((st) => statuses.push(st));
  const run = consume(s);
  try {
    await waitFor('s.counters().restarts >= 2', async () => s.counters().restarts >= 2, 15_000);
    assert.equal(statuses[0]!.reason, 'stalled');
    assert.ok(sockets.length >= 2, 'reconnected');
    const gaps = statuses.slice(1).map((st, i) => st.at - statuses[i]!.at);
    assert.ok(gaps.every((g) => g >= 1200), `each retry waits the stall limit plus a backoff, got ${gaps}`);
  } finally {
    await s.close();
    await run.done;
    for (const sock of sockets) sock.destroy();
    silent.close();
  }
});

test('offline with a slow reader: waiting for the reader is not a stall', { skip: ffmpegSkip() }, async () => {
  const clip = renderClip('tiny', 'testsrc2=size=160x90:rate=10', 0.3);
  const s = source({ input: { url: clip, realtime: false }, delivery: 'every', stallS: 1, firstFrameGraceMs: 5000 });
  let n = 0;
  for await (const _ of s.frames()) {
    n++;
    await new Promise((r) => setTimeout(r, 1300)); // longer than stallS per frame
  }
  assert.equal(n, 3);
  assert.equal(s.counters().restarts, 0);
  assert.equal(s.status().state, 'ended');
});

test('the 2018 npm ffmpeg reads RTSP with its own timeout flag (-stimeout)', { skip: rtspSkip() || ffmpegSkip() }, async () => {
  const npm = describeFfmpeg((await import('@ffmpeg-installer/ffmpeg')).default.path, 'npm');
  const server = await startRtspServer({ clip: makeClip({ seconds: 20, width: 320, height: 180, fps: 10 }) });
  try {
    const s = source({ input: { url: server.url, transport: 'tcp', timeoutS: 3 }, ffmpeg: npm });
    let n = 0;
    for await (const f of s.frames()) if (f.data.length === 160 * 90 * 3 && ++n === 5) break;
    assert.equal(n, 5);
    assert.equal(s.counters().restarts, 0);
  } finally {
    await server.stop();
  }
});
