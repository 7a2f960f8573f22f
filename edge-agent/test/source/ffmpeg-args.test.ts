import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfigText } from '@vigil/contracts';
import { buildFfmpegArgs, bytesPerFrame, cameraFfmpegOptions, flavourOf, inputKind } from '../../src/source/index.js';

const out = { width: 640, height: 360, fps: 5, pixelFormat: 'rgb24' as const };
const modern = { modern: true };
const legacy = { modern: false };

/** The value following a flag, or undefined when the flag is absent. */
const flag = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

test('input kinds come from the URL scheme', () => {
  assert.equal(inputKind('rtsp://cam/stream'), 'rtsp');
  assert.equal(inputKind('RTSPS://cam/stream'), 'rtsp');
  assert.equal(inputKind('http://cam/mjpeg'), 'http');
  assert.equal(inputKind('https://cam/video.cgi'), 'http');
  assert.equal(inputKind('/data/clip.mp4'), 'file');
  assert.equal(inputKind('clips/a b.mp4'), 'file');
  assert.equal(inputKind('file:///data/clip.mp4'), 'file');
  assert.equal(inputKind('srt://10.0.0.1:9000'), 'stream');
});

test('RTSP over TCP with a socket timeout in microseconds, spelled per ffmpeg build', () => {
  const input = { url: 'rtsp://u:p@10.0.0.5/h264', transport: 'tcp' as const, timeoutS: 7 };
  const a = buildFfmpegArgs(input, out, modern);
  assert.equal(flag(a, '-rtsp_transport'), 'tcp');
  assert.equal(flag(a, '-timeout'), '7000000');
  assert.equal(flag(a, '-stimeout'), undefined);
  const b = buildFfmpegArgs(input, out, legacy);
  assert.equal(flag(b, '-stimeout'), '7000000');
  assert.equal(flag(b, '-timeout'), undefined, 'before ffmpeg 5 RTSP -timeout meant listen mode');
  assert.equal(flag(buildFfmpegArgs({ ...input, transport: 'udp' }, out, modern), '-rtsp_transport'), 'udp');
  assert.ok(a.indexOf('-rtsp_transport') < a.indexOf('-i'), 'input options go before -i');
});

test('HTTP (MJPEG) uses the generic read/write timeout, no RTSP flags', () => {
  const a = buildFfmpegArgs({ url: 'http://10.0.0.9/mjpeg', timeoutS: 3 }, out, modern);
  assert.equal(flag(a, '-rw_timeout'), '3000000');
  assert.equal(flag(a, '-rtsp_transport'), undefined);
  assert.equal(flag(a, '-i'), 'http://10.0.0.9/mjpeg');
});

test('files: -re for real time, -stream_loop -1 for loop, neither for offline processing', () => {
  const live = buildFfmpegArgs({ url: '/v/a.mp4', loop: true, realtime: true }, out, modern);
  assert.ok(live.includes('-re'));
  assert.equal(flag(live, '-stream_loop'), '-1');
  const offline = buildFfmpegArgs({ url: 'file:///v/a.mp4', loop: false, realtime: false }, out, modern);
  assert.ok(!offline.includes('-re'));
  assert.ok(!offline.includes('-stream_loop'));
  assert.equal(flag(offline, '-i'), '/v/a.mp4', 'file:// is stripped');
});

test('decoding happens in ffmpeg: rate and size filters, raw pixels on stdout, vsync per build', () => {
  const a = buildFfmpegArgs({ url: '/v/a.mp4' }, { width: 1280, height: 720, fps: 2.5, pixelFormat: 'gray' }, modern);
  assert.equal(flag(a, '-vf'), 'fps=2.5,scale=1280:720');
  assert.equal(flag(a, '-f'), 'rawvideo');
  assert.equal(flag(a, '-pix_fmt'), 'gray');
  assert.equal(a.at(-1), 'pipe:1');
  assert.equal(flag(a, '-fps_mode'), 'passthrough');
  const b = buildFfmpegArgs({ url: '/v/a.mp4' }, out, legacy);
  assert.equal(flag(b, '-fps_mode'), undefined, 'the 2018 npm build has no -fps_mode');
  assert.equal(flag(b, '-vsync'), '0');
});

test('hardware decode flags pass through before -i, in order', () => {
  const a = buildFfmpegArgs({ url: 'rtsp://cam/x', hwaccel: ['-hwaccel', 'vaapi', '-hwaccel_device', '/dev/dri/renderD128'] }, out, modern);
  const at = a.indexOf('-hwaccel');
  assert.deepEqual(a.slice(at, at + 4), ['-hwaccel', 'vaapi', '-hwaccel_device', '/dev/dri/renderD128']);
  assert.ok(at < a.indexOf('-i'));
});

test('frame size in bytes', () => {
  assert.equal(bytesPerFrame({ width: 640, height: 360, pixelFormat: 'rgb24' }), 691200);
  assert.equal(bytesPerFrame({ width: 640, height: 360, pixelFormat: 'gray' }), 230400);
});

test('ffmpeg builds: releases from 5.1 are modern, the 2018 npm snapshot is not', () => {
  assert.equal(flavourOf('5.1.9-0+deb12u1').modern, true);
  assert.equal(flavourOf('6.0').modern, true);
  assert.equal(flavourOf('n7.1').modern, true);
  assert.equal(flavourOf('4.4.2-0ubuntu0.22.04.1').modern, false);
  assert.equal(flavourOf('5.0.1').modern, false);
  assert.equal(flavourOf('20181210-g0e8eb07980').modern, false);
  const npmBanner = 'ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2018 the FFmpeg developers';
  assert.equal(flavourOf('N-47683-g0e8eb07980-static', npmBanner).modern, false);
});

test('a camera config maps to ffmpeg options with the schema defaults filled in', () => {
  const r = checkConfigText(
    'version: 1\nsite: hue\ngateway: gw-1\ncameras:\n  - id: cam-1\n    source: { url: "rtsp://10.0.0.5/s", transport: udp, hwaccel: [-hwaccel, auto] }\n    detect: { width: 320, height: 180 }\n',
    'cam.yaml',
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const { input, output } = cameraFfmpegOptions(r.config.cameras[0]!);
  assert.deepEqual(input, { url: 'rtsp://10.0.0.5/s', transport: 'udp', timeoutS: 10, loop: false, realtime: true, hwaccel: ['-hwaccel', 'auto'] });
  assert.deepEqual(output, { width: 320, height: 180, fps: 5, pixelFormat: 'rgb24' });
});
