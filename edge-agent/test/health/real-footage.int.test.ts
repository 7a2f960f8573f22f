import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkConfigText, validateMessage, type VigilEvent } from '@vigil/contracts';
import { dataFile, ffmpegSkip } from '@vigil/testkit';
import { runCameraOffline } from '../../src/pipeline/index.js';

const hanoi = dataFile('traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4');
const skip = ffmpegSkip() || hanoi.skip;

/** A variant of the real clip made with ffmpeg (cached): blurred from 10 s, or one frame held. */
function variant(name: string, args: string[]): string {
  const dir = join(tmpdir(), 'vigil-clips');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `hanoi-${name}.mp4`);
  if (!existsSync(out)) execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out]);
  return out;
}

async function events(input: string): Promise<VigilEvent[]> {
  const r = checkConfigText(
    'version: 1\nsite: hn\ngateway: gw-1\ncameras:\n  - id: ly-thuong-kiet\n    source: { url: rtsp://10.0.0.1/s, transport: tcp }\n    health: { frozen_s: 10, tamper_s: 5 }\n',
    'hanoi.yaml',
  );
  assert.ok(r.ok);
  const out: VigilEvent[] = [];
  await runCameraOffline({ config: r.config, input, maxSeconds: 30, emit: (e) => (assert.ok(validateMessage('event', e).ok), out.push(e)) });
  return out;
}

const tamper = (es: VigilEvent[]) => es.map((e) => `${e.phase}:${(e.attributes as { reason: string }).reason}`);

test('real Hanoi street footage: no tamper events (no false alarms on a busy scene)', { skip }, async () => {
  assert.deepEqual(tamper(await events(hanoi.path)), []);
});

test('the same footage defocused from 10 s raises blurred; one frame held raises frozen', { skip }, async () => {
  const blurred = variant('blur', ['-i', hanoi.path, '-t', '30', '-vf', "gblur=sigma=6:enable='gte(t,10)'"]);
  assert.deepEqual(tamper(await events(blurred)), ['start:blurred', 'end:blurred']);
  const still = variant('still', ['-ss', '5', '-i', hanoi.path, '-t', '20', '-vf', 'trim=end_frame=1,loop=loop=-1:size=1,fps=6']);
  assert.deepEqual(tamper(await events(still)), ['start:frozen', 'end:frozen']);
});
