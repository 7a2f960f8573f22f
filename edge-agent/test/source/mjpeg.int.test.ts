import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { ffmpegSkip, waitFor } from '@vigil/testkit';
import { FfmpegCameraSource, ReconnectBackoff } from '../../src/source/index.js';

/**
 * An MJPEG-over-HTTP camera on loopback, as cheap IP cameras serve it: multipart/x-mixed-replace with
 * JPEG parts, produced by a real ffmpeg, behind basic auth.
 */
async function startMjpegCamera(user: string, password: string): Promise<{ url: string; close(): Promise<void> }> {
  const encoders = new Set<ChildProcess>();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/video.mjpg') {
      res.writeHead(404).end('not found');
      return;
    }
    if (req.headers.authorization !== `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="camera"' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace;boundary=ffmpeg' });
    const enc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-f', 'mpjpeg', '-q:v', '6', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    encoders.add(enc);
    enc.stdout.pipe(res);
    res.on('close', () => enc.kill('SIGKILL'));
    enc.on('close', () => encoders.delete(enc));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${user}:${password}@127.0.0.1:${port}/video.mjpg`,
    close: async () => {
      for (const e of encoders) e.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const output = { width: 160, height: 90, fps: 5, pixelFormat: 'rgb24' as const };

test('HTTP MJPEG camera: frames at the detect size; wrong password -> auth_failed; wrong path -> not_found', { skip: ffmpegSkip() }, async () => {
  const camera = await startMjpegCamera('hue', 'p4ss');
  try {
    const good = new FfmpegCameraSource({ camera: 'mjpeg', input: { url: camera.url, timeoutS: 5 }, output, stallS: 10 });
    let frames = 0;
    for await (const f of good.frames()) {
      assert.equal(f.data.length, 160 * 90 * 3);
      if (++frames === 5) break;
    }
    assert.equal(good.status().state, 'ok');

    for (const [url, reason] of [
      [camera.url.replace('p4ss', 'nope'), 'auth_failed'],
      [camera.url.replace('video.mjpg', 'other.mjpg'), 'not_found'],
    ] as const) {
      const bad = new FfmpegCameraSource({ camera: 'mjpeg', input: { url, timeoutS: 5 }, output, stallS: 10, backoff: new ReconnectBackoff({ initialMs: 200 }) });
      const run = (async () => {
        for await (const _ of bad.frames());
      })();
      await waitFor(`status ${reason}`, async () => bad.status().state === 'offline', 15_000);
      assert.equal(bad.status().reason, reason, JSON.stringify(bad.status()));
      assert.ok(!bad.status().detail?.includes('nope'), 'no password in the detail');
      await bad.close();
      await run;
    }
  } finally {
    await camera.close();
  }
});
