import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { VigilError } from '@vigil/contracts';
import type { RingFrame } from './frame-ring.js';

/**
 * The ffmpeg that encodes clips: VIGIL_FFMPEG, else the system's (/usr/bin/ffmpeg has libx264), else the
 * static @ffmpeg-installer build. Only flags both know are used: the 2018 npm build has no -fps_mode.
 */
export function clipEncoderPath(): string {
  const candidates = [process.env.VIGIL_FFMPEG, '/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg', npmFfmpeg()];
  for (const path of candidates) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not this one: try the next candidate
    }
  }
  throw new VigilError('VIGIL_ERR_SOURCE_FFMPEG', 'no ffmpeg to encode evidence clips: apt-get install ffmpeg, run npm install (@ffmpeg-installer/ffmpeg), or set VIGIL_FFMPEG');
}

function npmFfmpeg(): string | undefined {
  try {
    return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

export interface ClipOptions {
  /** Frames per second the clip plays at (the ring's rate). */
  fps: number;
  ffmpeg?: string;
  /** x264 constant rate factor: 28 keeps a 10 s 640x360 clip around 200-400 kB. */
  crf?: number;
}

/**
 * Encodes frames (all the same size) to an H.264 mp4 at `path`: raw frames are piped to ffmpeg's stdin,
 * yuv420p so every browser plays it, +faststart so the dashboard can start playing before the end.
 */
export async function encodeClip(frames: readonly RingFrame[], path: string, options: ClipOptions): Promise<void> {
  if (frames.length === 0) throw new VigilError('VIGIL_ERR_EVIDENCE_WRITE', 'an evidence clip needs at least one frame');
  const { width, height, format } = frames[0]!;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', format === 'gray' ? 'gray' : 'rgb24', '-s', `${width}x${height}`, '-r', String(options.fps), '-i', 'pipe:0',
    '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(options.crf ?? 28), '-pix_fmt', 'yuv420p', '-movflags', '+faststart',
    '-f', 'mp4', path,
  ];
  const child = spawn(options.ffmpeg ?? clipEncoderPath(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new VigilError('VIGIL_ERR_EVIDENCE_WRITE', `ffmpeg could not start to encode ${path}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new VigilError('VIGIL_ERR_EVIDENCE_WRITE', `ffmpeg failed to encode ${path} (exit ${code}): ${stderr.trim()}`))));
  });
  child.stdin.on('error', () => undefined); // a dying ffmpeg closes the pipe; its exit code carries the reason
  done.catch(() => undefined); // it may fail while frames are still being written; awaited below
  let exited = false;
  const closed = once(child, 'close').then(() => void (exited = true));
  closed.catch(() => undefined); // spawn errors are reported through `done`
  for (const f of frames) {
    if (exited) break;
    if (f.width !== width || f.height !== height) continue;
    if (!child.stdin.write(f.data)) await Promise.race([once(child.stdin, 'drain').catch(() => undefined), closed]);
  }
  child.stdin.end();
  await done;
}
