import type { Command } from 'commander';
import { ensureVerifiedFile, evaluateModel, listModelNames, readModelEntry, type EvalResult } from '@vigil/models';

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('List, verify and evaluate models.');
  models
    .command('list')
    .description('Models with version, task, file size, licence and whether the file verifies against its sha256 (a generated model is built first if missing).')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { json?: boolean }) => {
      let bad = 0;
      for (const name of listModelNames()) {
        const row: Record<string, unknown> = { name };
        try {
          const entry = await readModelEntry(name);
          const m = entry.manifest;
          Object.assign(row, { version: m.version, task: m.task, licence: m.licence.spdx, file: entry.onnxPath });
          try {
            const { bytes } = await ensureVerifiedFile(entry);
            Object.assign(row, { bytes, verifies: true });
          } catch (err) {
            Object.assign(row, { verifies: false, problem: (err as Error).message });
          }
        } catch (err) {
          Object.assign(row, { verifies: false, problem: (err as Error).message });
        }
        if (row['verifies'] !== true) bad++;
        if (opts.json) {
          console.log(JSON.stringify(row));
        } else {
          const size = typeof row['bytes'] === 'number' ? `${(row['bytes'] / 1e6).toFixed(1)} MB` : '-';
          console.log(`${name.padEnd(16)} ${String(row['version'] ?? '?').padEnd(14)} ${String(row['task'] ?? '?').padEnd(9)} ${size.padStart(8)}  ${String(row['licence'] ?? '?').padEnd(11)} ${row['verifies'] ? 'verified' : `NOT VERIFIED: ${String(row['problem'])}`}`);
        }
      }
      // A missing third-party file is normal on a machine without the shared data; only say so.
      if (bad > 0 && !opts.json) console.error(`${bad} model(s) did not verify (see the reason on each line).`);
    });
  models
    .command('eval')
    .description('Evaluate a model on a labelled folder and write the numbers into its MODEL_CARD.md and model.json. Detection: YOLO-format images/ + labels/ (mAP@0.5, P/R/F1 at the default threshold); classification: one folder per label (per-class P/R/F1, confusion matrix); segmentation: images/ + masks/ (IoU, F1).')
    .requiredOption('--model <name>', 'model name')
    .requiredOption('--data <dir>', 'labelled folder')
    .option('--limit <n>', 'evaluate at most n images')
    .option('--no-write', 'print only; do not touch MODEL_CARD.md / model.json')
    .option('--threads <n>', 'onnxruntime threads', '1')
    .option('--json', 'print the metrics as JSON')
    .action(async (opts: { model: string; data: string; limit?: string; write: boolean; threads: string; json?: boolean }) => {
      let r: EvalResult;
      try {
        r = await evaluateModel(opts.model, opts.data, {
          threads: Number(opts.threads),
          write: opts.write,
          ...(opts.limit ? { limit: Number(opts.limit) } : {}),
        });
      } catch (err) {
        const e = err as { code?: string; message: string };
        console.error(`vigil models eval: ${e.code ? `${e.code}: ` : ''}${e.message}`);
        process.exitCode = 1;
        return;
      }
      console.log(opts.json ? JSON.stringify({ model: r.model, dataset: r.dataset, images: r.images, metrics: r.metrics }) : r.markdown);
    });
}
