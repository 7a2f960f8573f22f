/**
 * Camera source throughput: frames decoded and delivered per second by FfmpegCameraSource, against
 * ffmpeg alone (same binary, same input and filter arguments) writing raw frames to /dev/null, in the
 * same run and alternating, so the ratio holds on a busy machine. Also the rate with this issue's
 * per-frame work (grey thumbnail, motion, health) on top, and 4 cameras at once.
 *
 * Writes bench/results/source.json and the bench:source section of docs/benchmarks.md.
 * Run: npx tsx bench/source/run.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeClip, dataFile } from '@vigil/testkit';
import {
  CameraEvents,
  CameraHealthMonitor,
  FfmpegCameraSource,
  FrameDifferenceMotionDetector,
  GatewaySequence,
  buildFfmpegArgs,
  findFfmpeg,
  toGreyThumbnail,
  type FfmpegInput,
  type FfmpegOutput,
} from '../../edge-agent/src/index.js';
import { writeBenchSection } from '../report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPEATS = 3;
const ffmpeg = findFfmpeg();

type Variant = 'ffmpeg' | 'pipe' | 'source' | 'source+motion+health';

interface Row {
  clip: string;
  detect: string;
  cameras: number;
  framesPerRun: number;
  fps: Record<Variant, number>;
  /** Frames per CPU-second (ffmpeg children + this process), i.e. per core. */
  fpsPerCore: Record<Variant, number>;
}

/** CPU seconds of this process plus its reaped children (/proc/self/stat utime, stime, cutime, cstime). */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // after "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / 100; // CLK_TCK is 100 on Linux
}

/** ffmpeg alone: to /dev/null, or to a pipe that Node drains without looking at the bytes (the floor for any reader). */
async function baseline(input: FfmpegInput, output: FfmpegOutput, to: 'null' | 'pipe'): Promise<number> {
  const args = buildFfmpegArgs(input, output, ffmpeg.flavour);
  if (to === 'null') {
    args[args.length - 1] = '/dev/null';
    args.splice(args.length - 1, 0, '-y');
  }
  let frames = 0;
  await new Promise<void>((resolve, reject) => {
    const p = spawn(ffmpeg.path, [...args.slice(0, 4), '-progress', 'pipe:2', ...args.slice(4)], { stdio: ['ignore', to === 'pipe' ? 'pipe' : 'ignore', 'pipe'] });
    let text = '';
    p.stdout?.on('data', () => {});
    p.stderr?.on('data', (c: Buffer) => (text += c.toString()));
    p.on('close', (code) => {
      frames = Number([...text.matchAll(/^frame=(\d+)/gm)].at(-1)?.[1] ?? 0);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg baseline exited ${code}`));
    });
  });
  return frames;
}

async function ours(input: FfmpegInput, output: FfmpegOutput, withStages: boolean, camera: string): Promise<number> {
  const source = new FfmpegCameraSource({ camera, input, output, stallS: 30, delivery: 'every', ffmpeg });
  const motion = new FrameDifferenceMotionDetector({ sensitivity: 0.5 });
  const health = new CameraHealthMonitor(new CameraEvents('bench', 'gw', camera, new GatewaySequence()), { frozenS: 60, tamperS: 30 }, () => {});
  let frames = 0;
  for await (const frame of source.frames()) {
    if (withStages) {
      const grey = toGreyThumbnail(frame);
      motion.detect(grey);
      health.observeFrame(grey, frame.at);
    }
    frames++;
  }
  return frames;
}

async function measure(variant: Variant, cameras: number, input: FfmpegInput, output: FfmpegOutput): Promise<{ fps: number; fpsPerCore: number; frames: number }> {
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const counts = await Promise.all(
    Array.from({ length: cameras }, (_, i) => (variant === 'ffmpeg' || variant === 'pipe' ? baseline(input, output, variant === 'ffmpeg' ? 'null' : 'pipe') : ours(input, output, variant !== 'source', `cam-${i}`))),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  const frames = counts.reduce((a, b) => a + b, 0);
  return { fps: frames / cameras / seconds, fpsPerCore: frames / Math.max(cpu, 0.01), frames: frames / cameras };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function row(clipName: string, clip: string, width: number, height: number, fps: number, cameras: number): Promise<Row> {
  const input: FfmpegInput = { url: clip, realtime: false, loop: false };
  const output: FfmpegOutput = { width, height, fps, pixelFormat: 'rgb24', threads: cameras > 1 ? 1 : undefined };
  const variants: Variant[] = ['ffmpeg', 'pipe', 'source', 'source+motion+health'];
  const samples = Object.fromEntries(variants.map((v) => [v, { fps: [] as number[], perCore: [] as number[], frames: 0 }])) as Record<Variant, { fps: number[]; perCore: number[]; frames: number }>;
  for (let r = 0; r < REPEATS; r++) {
    for (const v of variants) {
      const m = await measure(v, cameras, input, output);
      samples[v].fps.push(m.fps);
      samples[v].perCore.push(m.fpsPerCore);
      samples[v].frames = m.frames;
    }
  }
  const result: Row = {
    clip: clipName,
    detect: `${width}x${height}`,
    cameras,
    framesPerRun: samples.source.frames,
    fps: Object.fromEntries(variants.map((v) => [v, round(median(samples[v].fps))])) as Record<Variant, number>,
    fpsPerCore: Object.fromEntries(variants.map((v) => [v, round(median(samples[v].perCore))])) as Record<Variant, number>,
  };
  if (samples.ffmpeg.frames !== samples.source.frames) console.error(`warning: ffmpeg wrote ${samples.ffmpeg.frames} frames, the source delivered ${samples.source.frames}`);
  console.error(`${clipName} ${result.detect} x${cameras}: ${JSON.stringify(result.fps)}`);
  return result;
}

async function main(): Promise<void> {
  const synthetic = makeClip({ seconds: 20, width: 1280, height: 720, fps: 25, gop: 50 });
  const rows: Row[] = [];
  for (const [w, h] of [[640, 360], [1280, 720]] as const) rows.push(await row('testsrc2 1280x720 25 fps H.264', synthetic, w, h, 25, 1));
  rows.push(await row('testsrc2 1280x720 25 fps H.264', synthetic, 640, 360, 25, 4));
  const hanoi = dataFile('traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4');
  if (!hanoi.skip) rows.push(await row('Hanoi intersection 640x480 ~6 fps (real)', hanoi.path, 640, 360, 6, 1));
  else console.error(hanoi.skip);

  const out = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' },
    ffmpeg: { path: ffmpeg.path, version: ffmpeg.version },
    repeats: REPEATS,
    load: loadavg(),
    rows: rows.map((r) => ({
      ...r,
      ratio: round(r.fps.source / r.fps.ffmpeg, 3),
      ratioToPipe: round(r.fps.source / r.fps.pipe, 3),
      ratioWithStages: round(r.fps['source+motion+health'] / r.fps.ffmpeg, 3),
    })),
  };
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench', 'results', 'source.json'), JSON.stringify(out, null, 2) + '\n');
  writeSection(render(out));
  console.error('source: wrote bench/results/source.json and the bench:source section of docs/benchmarks.md');
}

function render(o: { date: string; machine: { cores: number; cpu: string }; ffmpeg: { version: string }; repeats: number; rows: (Row & { ratio: number; ratioToPipe: number; ratioWithStages: number })[]; load: number[] }): string {
  const lines = [
    '## Camera source (`bench/source/run.ts`)',
    '',
    `${o.date.slice(0, 10)}, ${o.machine.cores} cores (${o.machine.cpu.trim()}), ffmpeg ${o.ffmpeg.version}, other work running alongside. Files decoded as fast as possible to raw rgb24 at the detect size (scaling inside ffmpeg). *ffmpeg alone* = the same ffmpeg arguments writing to /dev/null; *pipe* = ffmpeg writing to a pipe that Node drains without reading the bytes (what any Node reader pays); *source* = FfmpegCameraSource delivering every frame to a consumer that does nothing; *+ motion + health* = also the grey thumbnail, motion detection and health checks per frame. Frames per second per camera (median of ${o.repeats} alternating runs); *per core* = frames per CPU-second of ffmpeg plus Node. Goal: ratio >= 0.9.`,
    '',
    `Load average during the run: ${o.load.map((l) => round(l, 1)).join(', ')} (1, 5, 15 min) on ${o.machine.cores} cores: treat the ratios as rough.`,
    '',
    '| clip | detect | cameras | ffmpeg alone fps | pipe fps | source fps | source / ffmpeg alone | source / pipe | + motion + health fps | (+ stages) / ffmpeg alone | per core: ffmpeg / source / + stages |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...o.rows.map(
      (r) =>
        `| ${r.clip} | ${r.detect} | ${r.cameras} | ${r.fps.ffmpeg} | ${r.fps.pipe} | ${r.fps.source} | **${r.ratio}** | ${r.ratioToPipe} | ${r.fps['source+motion+health']} | ${r.ratioWithStages} | ${r.fpsPerCore.ffmpeg} / ${r.fpsPerCore.source} / ${r.fpsPerCore['source+motion+health']} |`,
    ),
    '',
    'Live cameras are paced by the camera (5-25 fps): these rates are the headroom. With 4 cameras each ffmpeg decodes on one thread (`threads: 1`), so the 2 cores are shared by 4 processes plus Node.',
  ];
  return lines.join('\n');
}

const writeSection = (body: string): void => writeBenchSection('source', body);

await main();
