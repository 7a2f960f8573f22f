/**
 * Inference benchmark: per detector, ms per frame at 1 and 2 onnxruntime threads; the full stage
 * (sharp preprocess + run + decode + NMS) against a bare session.run on the same prepared input in
 * the same run (goal: overhead <= 15%); batching two cameras' frames into one run (dynamic-batch
 * models); and how many motorbikes, cars and persons each detector finds per frame of the Hanoi clip
 * at its default threshold. Writes bench/results/inference.json and the bench:inference section of
 * docs/benchmarks.md. Absolute times depend on the machine and on what else runs; compare ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDir, loadDetector, type OnnxDetector, type Outputs, type RawFrame } from '@vigil/models';
import { writeBenchSection } from '../report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLIP = join(dataDir(), 'traffic', 'videos', 'hanoi-ly-thuong-kiet-hang-bai.mp4');
const DETECTORS = ['centernet-coco', 'yolox-nano', 'nanodet-m-320', 'nanodet-m-416'];
const TIMED_FRAMES = Number(process.env['BENCH_TIMED_FRAMES'] ?? 20);
const COUNT_CLASSES = ['motorbike', 'car', 'person'];

function extractFrames(): RawFrame[] {
  const ffmpeg = existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : 'ffmpeg';
  // One frame per second of the 64 s clip, as raw RGB like the edge agent's frame source delivers.
  const r = spawnSync(ffmpeg, ['-loglevel', 'error', '-i', CLIP, '-vf', 'fps=1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${CLIP}: ${r.stderr.toString()}`);
  const width = 640;
  const height = 480;
  const size = width * height * 3;
  const frames: RawFrame[] = [];
  for (let o = 0; o + size <= r.stdout.length; o += size) frames.push({ data: r.stdout.subarray(o, o + size), width, height, channels: 3 });
  return frames;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const r1 = (v: number): number => Math.round(v * 10) / 10;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

interface TimingResult {
  threads: number;
  stageMs: number;
  bareMs: number;
  overhead: number;
  /** Medians of the parts, timed separately on the same frames: preprocess, run, decode + NMS. */
  prepareMs: number;
  decodeMs: number;
  /** (prepare + decode) / run from the part medians: steadier than stage/bare on a loaded machine. */
  partsOverhead: number;
  batch2PerFrameMs?: number;
  singlePerFrameMs?: number;
}

/**
 * Full stage and bare session.run alternate frame by frame (and swap order every frame) so machine
 * load hits both alike; the parts are timed too.
 */
async function timeDetector(det: OnnxDetector, frames: RawFrame[], threads: number): Promise<TimingResult> {
  const sample = frames.slice(0, TIMED_FRAMES);
  for (const f of sample.slice(0, 2)) await det.detect([f]);
  const stage: number[] = [];
  const bare: number[] = [];
  const prepare: number[] = [];
  const decode: number[] = [];
  const outputNames = det.decoder.outputNames as string[];
  for (const [i, f] of sample.entries()) {
    const timeStage = async (): Promise<void> => {
      const t = process.hrtime.bigint();
      await det.detect([f]);
      stage.push(ms(t));
    };
    const timeParts = async (): Promise<void> => {
      let t = process.hrtime.bigint();
      const { feeds, placements } = await det.prepare([f]);
      prepare.push(ms(t));
      t = process.hrtime.bigint();
      const out = await det.session.run(feeds, outputNames);
      bare.push(ms(t));
      t = process.hrtime.bigint();
      det.decodeBatch(out as unknown as Outputs, placements);
      decode.push(ms(t));
    };
    if (i % 2 === 0) { await timeStage(); await timeParts(); } else { await timeParts(); await timeStage(); }
  }
  const result: TimingResult = {
    threads,
    stageMs: r1(median(stage)),
    bareMs: r1(median(bare)),
    overhead: r3(median(stage) / median(bare) - 1),
    prepareMs: r1(median(prepare)),
    decodeMs: r1(median(decode)),
    partsOverhead: r3((median(prepare) + median(decode)) / median(bare)),
  };
  if (det.maxBatch >= 2) {
    const pairs: number[] = [];
    const singles: number[] = [];
    for (let i = 0; i + 1 < sample.length; i += 2) {
      let t = process.hrtime.bigint();
      await det.detect([sample[i]!, sample[i + 1]!]);
      pairs.push(ms(t) / 2);
      t = process.hrtime.bigint();
      await det.detect([sample[i]!]);
      await det.detect([sample[i + 1]!]);
      singles.push(ms(t) / 2);
    }
    result.batch2PerFrameMs = r1(median(pairs));
    result.singlePerFrameMs = r1(median(singles));
  }
  return result;
}

async function countObjects(det: OnnxDetector, frames: RawFrame[]): Promise<Record<string, { mean: number; min: number; max: number }>> {
  const perFrame: Record<string, number[]> = Object.fromEntries(COUNT_CLASSES.map((c) => [c, []]));
  for (const f of frames) {
    const [dets] = await det.detect([f]);
    for (const c of COUNT_CLASSES) perFrame[c]!.push(dets!.filter((d) => d.label === c).length);
  }
  return Object.fromEntries(COUNT_CLASSES.map((c) => {
    const v = perFrame[c]!;
    return [c, { mean: r1(v.reduce((a, b) => a + b, 0) / v.length), min: Math.min(...v), max: Math.max(...v) }];
  }));
}

async function main(): Promise<void> {
  if (process.argv.includes('--render')) {
    // Re-render the docs section from the last results without measuring again.
    writeSection(markdown(JSON.parse(readFileSync(join(repoRoot, 'bench', 'results', 'inference.json'), 'utf8')) as Parameters<typeof markdown>[0]));
    return;
  }
  if (!existsSync(CLIP)) {
    console.error(`bench inference: ${CLIP} not found; set VIGIL_DATA_DIR to the shared data folder. Skipping.`);
    return;
  }
  const loadAtStart = loadavg().map((v) => v.toFixed(1)).join(' / ');
  const frames = extractFrames();
  const results: Record<string, unknown>[] = [];
  for (const name of DETECTORS) {
    let timings: TimingResult[] = [];
    let counts: Awaited<ReturnType<typeof countObjects>> | undefined;
    let threshold = 0;
    let input = '';
    try {
      for (const threads of [1, 2]) {
        const det = await loadDetector(name, { threads });
        threshold = det.manifest.thresholds.score;
        input = `${det.manifest.input.width}x${det.manifest.input.height}`;
        timings.push(await timeDetector(det, frames, threads));
        if (threads === 2) counts = await countObjects(det, frames);
        await det.close();
      }
    } catch (err) {
      console.error(`bench inference: ${name} skipped: ${(err as Error).message}`);
      timings = [];
    }
    if (timings.length === 0) continue;
    results.push({ model: name, input, threshold, timings, countsPerFrame: counts });
    console.error(`${name}: ${JSON.stringify(timings)} ${JSON.stringify(counts)}`);
  }
  const doc = {
    benchmark: 'inference',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?' },
    load: loadAtStart,
    clip: 'traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4 (640x480, 1 frame per second)',
    framesCounted: frames.length,
    framesTimed: Math.min(TIMED_FRAMES, frames.length),
    results,
  };
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench', 'results', 'inference.json'), `${JSON.stringify(doc, null, 2)}\n`);
  writeSection(markdown(doc));
}

function markdown(doc: { date: string; load: string; machine: { cpus: number; cpu: string }; framesCounted: number; framesTimed: number; results: Record<string, unknown>[] }): string {
  const lines = [
    '## Inference (`bench/inference/run.ts`)',
    '',
    `${doc.date.slice(0, 10)}, ${doc.machine.cpus} cores (${doc.machine.cpu}), load average ${doc.load} at the start (other work running alongside: absolute times and the 2-thread rows are only indicative). Median ms per frame over ${doc.framesTimed} frames of the Hanoi clip (640x480 raw RGB, as the frame source delivers them). *Stage* = sharp preprocessing into the reused input buffer + session.run + decode + class-wise NMS; *bare* = session.run alone on the same prepared input, measured alternately in the same run.`,
    '',
    '| model | input | threads | stage ms | bare run ms | overhead stage/bare (goal <= 15%) | preprocess ms | decode+NMS ms | overhead from parts | 2 frames in one run, ms/frame | same 2 frames one by one, ms/frame |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of doc.results) {
    for (const t of r['timings'] as TimingResult[]) {
      lines.push(`| ${String(r['model'])} | ${String(r['input'])} | ${t.threads} | ${t.stageMs} | ${t.bareMs} | ${(t.overhead * 100).toFixed(1)}% | ${t.prepareMs} | ${t.decodeMs} | ${(t.partsOverhead * 100).toFixed(1)}% | ${t.batch2PerFrameMs ?? 'n/a (fixed batch 1)'} | ${t.singlePerFrameMs ?? ''} |`);
    }
  }
  const batched = doc.results.flatMap((r) => (r['timings'] as TimingResult[]).filter((t) => t.batch2PerFrameMs !== undefined).map((t) => ({ model: String(r['model']), t })));
  if (batched.length > 0) {
    const gains = batched.map(({ model, t }) => {
      const change = t.batch2PerFrameMs! / t.singlePerFrameMs! - 1;
      return `${model} at ${t.threads} thread(s): ${t.batch2PerFrameMs} vs ${t.singlePerFrameMs} ms/frame (${change < 0 ? `batching saves ${(-change * 100).toFixed(0)}%` : `batching costs ${(change * 100).toFixed(0)}% more`})`;
    });
    lines.push('', `Batching two cameras' frames into one run: ${gains.join('; ')}. edge-agent's SharedDetector therefore runs one frame per run by default (maxBatch 1).`);
  }
  lines.push('', `Objects found per frame on the Hanoi clip (${doc.framesCounted} frames, 1 per second) at each model's default threshold: mean (min-max).`, '', '| model | threshold | motorbike | car | person |', '|---|---|---|---|---|');
  for (const r of doc.results) {
    const c = r['countsPerFrame'] as Record<string, { mean: number; min: number; max: number }> | undefined;
    if (!c) continue;
    const cell = (k: string): string => `${c[k]!.mean} (${c[k]!.min}-${c[k]!.max})`;
    lines.push(`| ${String(r['model'])} | ${String(r['threshold'])} | ${cell('motorbike')} | ${cell('car')} | ${cell('person')} |`);
  }
  lines.push('', 'Counts are not accuracy: the clip has no labels. They show how differently the detectors see a dense Hanoi scene (many small motorbikes).');
  return lines.join('\n');
}

const writeSection = (body: string): void => writeBenchSection('inference', body);

await main();
