import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateMessage } from '@vigil/contracts';
import { ffmpegSkip } from '@vigil/testkit';
import { renderClip } from '../clips.js';

const VIGIL = fileURLToPath(new URL('../../../bin/vigil.mjs', import.meta.url));

function vigil(args: string[]) {
  return spawnSync(process.execPath, [VIGIL, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, VIGIL_LOG_LEVEL: 'error' } });
}

function workdir() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-process-'));
  const camera = join(dir, 'camera.yaml');
  writeFileSync(
    camera,
    `version: 1
site: hue
gateway: gw-1
cameras:
  - id: gate
    source: { url: rtsp://10.0.0.1/gate, transport: tcp }
  - id: bridge
    source: { url: rtsp://10.0.0.2/bridge, transport: tcp }
    detect: { width: 320, height: 180, fps: 5 }
    health: { frozen_s: 3, tamper_s: 3 }
`,
  );
  return { dir, camera, out: join(dir, 'events.jsonl') };
}

test('vigil process writes every event as a valid JSON line, progress on stderr', { skip: ffmpegSkip() }, () => {
  const { camera, out } = workdir();
  const clip = renderClip('cli-covered', 'color=c=0x707070:size=320x180:rate=10', 6);
  const r = vigil(['process', clip, '--camera', camera, '--camera-id', 'bridge', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /frames 30 /);
  assert.match(r.stderr, /camera bridge: 2 event\(s\) written/);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  for (const line of lines) {
    const event = JSON.parse(line) as unknown;
    const v = validateMessage('event', event);
    assert.ok(v.ok, JSON.stringify(!v.ok && v.issues));
  }
  const [start, end] = lines.map((l) => JSON.parse(l) as { type: string; phase: string; camera: string; attributes: { reason: string } });
  assert.deepEqual([start!.type, start!.phase, start!.camera, start!.attributes.reason], ['camera_tampered', 'start', 'bridge', 'covered']);
  assert.equal(end!.phase, 'end');
});

test('vigil process on a corrupt file: exit 1, a message naming the file and the fix, the offline event kept', { skip: ffmpegSkip() }, () => {
  const { dir, camera, out } = workdir();
  const corrupt = join(dir, 'corrupt.mp4');
  writeFileSync(corrupt, Buffer.alloc(50_000, 7));
  const r = vigil(['process', corrupt, '--camera', camera, '--out', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /VIGIL_ERR_SOURCE_FAILED: camera gate: cannot read .*corrupt\.mp4: unknown \(.*(moov atom not found|Invalid data found when processing input)\); the file may be truncated, corrupt or not a video\./);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  assert.equal((JSON.parse(lines[0]!) as { type: string }).type, 'camera_offline');
});

test('vigil process with an unknown camera id or a bad config says what to fix', () => {
  const { dir, camera, out } = workdir();
  const r = vigil(['process', 'x.mp4', '--camera', camera, '--camera-id', 'nope', '--out', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /camera "nope" is not in the config; its cameras are: gate, bridge/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'version: 1\nsite: hue\ngateway: gw-1\ncameras: []\n');
  const r2 = vigil(['process', 'x.mp4', '--camera', bad, '--out', out]);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /VIGIL_ERR_CONFIG_INVALID: config .*bad\.yaml has 1 problem/);
});
