import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Renders a short H.264 clip from a lavfi filter graph, cached in the temp folder by graph. testkit's makeClip
 * takes a bare source name; these tests need graphs with options and filters
 * ("color=c=gray:size=320x180:rate=10", "testsrc2=...,gblur=sigma=6").
 */
export function renderClip(name: string, graph: string, seconds: number, options: { movflags?: string } = {}): string {
  const dir = join(tmpdir(), 'vigil-clips');
  mkdirSync(dir, { recursive: true });
  const key = createHash('sha256').update(JSON.stringify([graph, seconds, options])).digest('hex').slice(0, 10);
  const out = join(dir, `edge-${name}-${seconds}s-${key}.mp4`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', graph, '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p',
    ...(options.movflags ? ['-movflags', options.movflags] : []), tmp,
  ]);
  renameSync(tmp, out);
  return out;
}
