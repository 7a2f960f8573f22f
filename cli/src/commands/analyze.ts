import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import sharp from 'sharp';
import { listImageFiles, loadModel, type Model } from '@vigil/models';

interface AnalyzeOptions {
  model: string;
  json?: boolean;
  threshold?: string;
  masksOut?: string;
  threads?: string;
}

/**
 * `vigil analyze`: the interface everyone uses to check a model. Output (stable, one JSON line per
 * image with --json):
 *   detect:   {"path","model","detections":[{"label","score","box":[x1,y1,x2,y2]}]}  (box normalised 0..1)
 *   classify: {"path","model","probabilities":{label:p},"top":{"label","probability"}}
 *   segment:  {"path","model","coverage"}  (fraction of the image that is foreground)
 * An image that cannot be read gives {"path","model","error":{"code","message"}}; the run goes on and
 * exits 1 at the end.
 */
export function registerAnalyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description('Run a model on images or folders of images; one JSON line per image (detections with normalised x1,y1,x2,y2 boxes, class probabilities, or segmentation coverage).')
    .argument('<inputs...>', 'image files or folders (folders: their image files, not recursive)')
    .requiredOption('--model <name>', 'model name (see `vigil models list`)')
    .option('--json', 'one JSON object per line (the stable interface); otherwise a short summary per image')
    .option('--threshold <score>', 'minimum detection score (default: the model\'s own)')
    .option('--masks-out <dir>', 'segmentation models: write one binary PNG mask per image, named after the image\'s basename')
    .option('--threads <n>', 'onnxruntime threads', '1')
    .action(async (inputs: string[], opts: AnalyzeOptions) => {
      const images = expandInputs(inputs);
      let model: Model;
      try {
        model = await loadModel(opts.model, { threads: Number(opts.threads ?? 1) });
      } catch (err) {
        const e = err as { code?: string; message: string };
        console.error(`vigil analyze: ${e.code ? `${e.code}: ` : ''}${e.message}`);
        process.exitCode = 1;
        return;
      }
      if (opts.masksOut && model.task !== 'segment') {
        await model.close();
        console.error(`vigil analyze: --masks-out needs a segmentation model; "${opts.model}" is a ${model.task} model.`);
        process.exitCode = 2;
        return;
      }
      if (opts.masksOut) mkdirSync(opts.masksOut, { recursive: true });
      let failed = 0;
      try {
        for (const path of images) {
          try {
            if (!existsSync(path)) throw Object.assign(new Error(`${path}: no such file.`), { code: 'VIGIL_ERR_MODEL_INPUT' });
            const line = await analyzeOne(model, path, opts);
            console.log(opts.json ? JSON.stringify(line) : summary(line));
          } catch (err) {
            failed++;
            const e = err as { code?: string; message: string };
            const line = { path, model: opts.model, error: { code: e.code ?? 'VIGIL_ERR_MODEL_INPUT', message: e.message } };
            if (opts.json) console.log(JSON.stringify(line));
            else console.error(`${path}: ${e.message}`);
          }
        }
      } finally {
        await model.close();
      }
      if (failed > 0) process.exitCode = 1;
    });
}

function expandInputs(inputs: string[]): string[] {
  return inputs.flatMap((input) => {
    // A missing path is reported on its own JSON line like any unreadable image; the rest still run.
    return existsSync(input) && statSync(input).isDirectory() ? listImageFiles(input) : [input];
  });
}

async function analyzeOne(model: Model, path: string, opts: AnalyzeOptions): Promise<Record<string, unknown>> {
  const base = { path, model: opts.model };
  if (model.task === 'detect') {
    const [detections] = await model.detect([path], opts.threshold !== undefined ? { minScore: Number(opts.threshold) } : {});
    return { ...base, detections: detections!.map((d) => ({ label: d.label, score: round(d.score), box: d.box.map(round) })) };
  }
  if (model.task === 'classify') {
    const [c] = await model.classify([path]);
    return { ...base, probabilities: Object.fromEntries(Object.entries(c!.probabilities).map(([k, v]) => [k, round(v)])), top: { label: c!.top.label, probability: round(c!.top.probability) } };
  }
  const [s] = await model.segment([path]);
  if (opts.masksOut) {
    const meta = await sharp(path).metadata();
    const size = meta.autoOrient ?? meta; // the mask matches the picture as shown (EXIF rotation applied)
    await sharp(Buffer.from(s!.mask.map((v) => (v ? 255 : 0))), { raw: { width: s!.width, height: s!.height, channels: 1 } })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'nearest' })
      .threshold(128)
      .png()
      .toFile(join(opts.masksOut, `${basename(path, extname(path))}.png`));
  }
  return { ...base, coverage: round(s!.coverage) };
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}

function summary(line: Record<string, unknown>): string {
  if (Array.isArray(line['detections'])) {
    const counts = new Map<string, number>();
    for (const d of line['detections'] as { label: string }[]) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
    return `${String(line['path'])}: ${[...counts].map(([l, n]) => `${n} ${l}`).join(', ') || 'nothing'}`;
  }
  if (line['top']) {
    const top = line['top'] as { label: string; probability: number };
    return `${String(line['path'])}: ${top.label} (${top.probability})`;
  }
  return `${String(line['path'])}: coverage ${String(line['coverage'])}`;
}
