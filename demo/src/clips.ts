import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderRgb } from './render.js';
import type { Scene } from './scenes/scene.js';

export interface ClipRequest {
  scene: Scene<unknown>;
  seconds: number;
  fps: number;
  out: string;
  ffmpeg: string;
  /** Progress callback: frames rendered so far, of total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Renders a scene to an H.264 MP4 through ffmpeg, so demo cameras run through the same file/RTSP
 * source path as real cameras. Skipped when the file exists (clips are deterministic).
 */
export async function renderClip(req: ClipRequest): Promise<string> {
  if (existsSync(req.out)) return req.out;
  mkdirSync(dirname(req.out), { recursive: true });
  const tmp = `${req.out}.partial.mp4`;
  const { width, height } = req.scene;
  const ff = spawn(
    req.ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(req.fps), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(req.fps), tmp],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  ff.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => ff.once('exit', resolve));
  const total = Math.round(req.seconds * req.fps);
  // Several frames in flight: sharp renders one op at a time per call, so overlap render and write.
  const inFlight: Promise<Buffer>[] = [];
  for (let i = 0; i < total; i++) {
    inFlight.push(renderRgb(req.scene, i / req.fps));
    if (inFlight.length >= 4 || i === total - 1) {
      for (const frame of await Promise.all(inFlight.splice(0))) {
        if (!ff.stdin.write(frame)) await new Promise((r) => ff.stdin.once('drain', r));
      }
      req.onProgress?.(i + 1, total);
    }
  }
  ff.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg could not encode ${req.out} (exit ${code}): ${stderr.trim()}`);
  renameSync(tmp, req.out);
  return req.out;
}
