import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { ffmpegSkip, which } from '@vigil/testkit';
import { floodGaugeScene, renderClip, startEmbeddedBroker } from '../src/index.js';

test('the embedded broker carries QoS 1 messages between MQTT 3.1.1 clients', async () => {
  const broker = await startEmbeddedBroker();
  const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  try {
    await sub.subscribeAsync('vigil/v1/#', { qos: 1 });
    const got = new Promise<string>((resolve) => sub.once('message', (topic, payload) => resolve(`${topic} ${payload.toString()}`)));
    await pub.publishAsync('vigil/v1/demo/gw/cam/event', '{"x":1}', { qos: 1 });
    assert.equal(await got, 'vigil/v1/demo/gw/cam/event {"x":1}');
  } finally {
    await sub.endAsync();
    await pub.endAsync();
    await broker.close();
  }
});

test('a scene renders to an MP4 that ffprobe reads with the right size and frame count', { skip: ffmpegSkip() }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'vigil-demo-clip-')), 'flood.mp4');
  const scene = floodGaugeScene({ width: 320, height: 180, seconds: 4 });
  const progress: number[] = [];
  await renderClip({ scene, seconds: 4, fps: 5, out, ffmpeg: which('ffmpeg')!, onProgress: (d) => progress.push(d) });
  const probe = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames,codec_name', '-of', 'json', out], { encoding: 'utf8' }),
  ) as { streams: { width: number; height: number; nb_read_frames: string; codec_name: string }[] };
  const s = probe.streams[0]!;
  assert.deepEqual([s.width, s.height, Number(s.nb_read_frames), s.codec_name], [320, 180, 20, 'h264']);
  assert.equal(progress.at(-1), 20);
});
