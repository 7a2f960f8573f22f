import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFfmpegStderr, isDecodeErrorLine, redactCredentials } from '../../src/source/index.js';

// Lines as ffmpeg 5.1 (Debian 12) and the 2018 npm build printed them against GStreamer's RTSP server,
// closed ports and broken files (collected while building this module).
const REAL = {
  auth: ['[rtsp @ 0x557ff8a9d940] method DESCRIBE failed: 401 Unauthorized', 'rtsp://u:wrong@127.0.0.1:36741/cam: Server returned 401 Unauthorized (authorization failed)'],
  notFound: ['[rtsp @ 0x563587fbc940] method DESCRIBE failed: 404 Not Found', 'rtsp://u:p@127.0.0.1:36741/nope: Server returned 404 Not Found'],
  refused: ['[tcp @ 0x55e636966600] Connection to tcp://127.0.0.1:1?timeout=0 failed: Connection refused', 'rtsp://127.0.0.1:1/cam: Connection refused'],
  missingFile: ['missing.mp4: No such file or directory'],
  truncated: ['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x560e1bf7f8c0] moov atom not found', 'trunc.mp4: Invalid data found when processing input'],
  timeout: ['[tcp @ 0x5581b8a2a300] Connection to tcp://10.9.9.9:554?timeout=5000000 failed: Connection timed out', 'rtsp://10.9.9.9/cam: Connection timed out'],
  codec: ['[h264 @ 0x55d0] Decoder (codec hevc) not found for input stream #0:0', 'Decoding requested, but no decoder found for: hevc'],
  httpAuth: ['[http @ 0x5630] HTTP error 401 Unauthorized', 'http://10.0.0.9/mjpeg: Server returned 401 Unauthorized (authorization failed)'],
  httpNotFound: ['[http @ 0x5630] HTTP error 404 Not Found', 'http://10.0.0.9/x: Server returned 404 Not Found'],
};

test('real ffmpeg messages map to the contract reasons', () => {
  assert.equal(classifyFfmpegStderr(REAL.auth)?.reason, 'auth_failed');
  assert.equal(classifyFfmpegStderr(REAL.httpAuth)?.reason, 'auth_failed');
  assert.equal(classifyFfmpegStderr(REAL.notFound)?.reason, 'not_found');
  assert.equal(classifyFfmpegStderr(REAL.httpNotFound)?.reason, 'not_found');
  assert.equal(classifyFfmpegStderr(REAL.missingFile)?.reason, 'not_found');
  assert.equal(classifyFfmpegStderr(REAL.refused)?.reason, 'connection_refused');
  assert.equal(classifyFfmpegStderr(REAL.timeout)?.reason, 'timeout');
  assert.equal(classifyFfmpegStderr(REAL.codec)?.reason, 'unsupported_codec');
});

test('a truncated file is unknown, with the line that says what is wrong', () => {
  const r = classifyFfmpegStderr(REAL.truncated);
  assert.equal(r?.reason, 'unknown');
  assert.equal(r?.detail, '[mov,mp4,m4a,3gp,3g2,mj2] moov atom not found');
});

test('the specific line wins over the generic one ffmpeg prints after it', () => {
  assert.equal(classifyFfmpegStderr([...REAL.auth, 'Invalid data found when processing input'])?.reason, 'auth_failed');
});

test('details never carry credentials or per-run pointers', () => {
  const r = classifyFfmpegStderr(REAL.auth.slice(1))!;
  assert.ok(!r.detail.includes('wrong'), r.detail);
  assert.ok(r.detail.startsWith('rtsp://***@127.0.0.1'), r.detail);
  assert.equal(classifyFfmpegStderr(REAL.auth)!.detail, '[rtsp] method DESCRIBE failed: 401 Unauthorized');
  assert.equal(redactCredentials('open rtsp://admin:Hue%402024@10.1.2.3:554/s1 now'), 'open rtsp://***@10.1.2.3:554/s1 now');
});

test('silence or decode noise alone gives no reason', () => {
  assert.equal(classifyFfmpegStderr([]), undefined);
  assert.equal(classifyFfmpegStderr(['[h264 @ 0x1] error while decoding MB 12 7, bytestream -5']), undefined);
});

test('decode error lines are recognised; others are not', () => {
  assert.ok(isDecodeErrorLine('[h264 @ 0x561587bcce40] Invalid NAL unit size (3386 > 2951).'));
  assert.ok(isDecodeErrorLine('[h264 @ 0x5] error while decoding MB 12 7, bytestream -5'));
  assert.ok(isDecodeErrorLine('[h264 @ 0x5] concealing 120 DC, 120 AC, 120 MV errors in P frame'));
  assert.ok(isDecodeErrorLine('[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5] stream 0, offset 0x9df3: partial file'));
  assert.ok(!isDecodeErrorLine('rtsp://127.0.0.1:1/cam: Connection refused'));
});
