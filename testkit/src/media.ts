import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnless, which } from './require.js';

export const ffmpegSkip = () => skipUnless('ffmpeg', 'apt-get install ffmpeg');

export interface ClipOptions {
  seconds: number;
  width?: number;
  height?: number;
  fps?: number;
  /** lavfi source, e.g. testsrc2 (moving), or color=c=gray (a frozen image). */
  source?: string;
  /** Keyframe interval in frames; short GOPs let RTSP clients start quickly. */
  gop?: number;
}

/**
 * Renders a test clip with ffmpeg's own test sources (H.264 MP4), cached by its parameters. Tests use
 * these instead of third-party footage, so they run without ../shared/data.
 */
export function makeClip(options: ClipOptions): string {
  const { seconds, width = 640, height = 360, fps = 10, source = 'testsrc2', gop = fps } = options;
  const dir = join(tmpdir(), 'vigil-clips');
  mkdirSync(dir, { recursive: true });
  const name = `${source.replace(/[^a-z0-9]+/gi, '_')}_${width}x${height}_${fps}fps_${seconds}s_g${gop}.mp4`;
  const out = join(dir, name);
  if (existsSync(out)) return out;
  const ffmpeg = which('ffmpeg');
  if (!ffmpeg) throw new Error('ffmpeg is not installed: apt-get install ffmpeg');
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  execFileSync(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `${source}${source.includes('=') ? ':' : '='}size=${width}x${height}:rate=${fps}`,
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(gop), '-pix_fmt', 'yuv420p', tmp,
  ]);
  execFileSync('mv', [tmp, out]);
  return out;
}

/** The shared reference data folder (VIGIL_DATA_DIR, default ../shared/data beside the repo). */
export function dataDir(): string {
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return process.env.VIGIL_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data');
}

/** Path of a file in the data folder, or a skip reason when the data folder is absent. */
export function dataFile(relative: string): { path: string; skip: false } | { path: string; skip: string } {
  const path = join(dataDir(), relative);
  if (existsSync(path)) return { path, skip: false };
  return { path, skip: `${relative} not found under ${dataDir()} (set VIGIL_DATA_DIR to the shared data folder); skipping.` };
}

