import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { VigilError } from '@vigil/contracts';
import { MODELS_DIR, readModelEntry } from '../registry.js';
import { loadModel, type LoadOptions } from '../runtime/load.js';
import { openClassFolders, openMaskSet, openYoloSet, readClassNames } from './datasets.js';
import { evaluateClassification, evaluateDetections, evaluateSegmentation, type GroundTruth, type Prediction } from './metrics.js';

export interface EvalOptions extends LoadOptions {
  /** Evaluate at most this many images (quick checks). */
  limit?: number;
  /** Write the numbers into MODEL_CARD.md and model.json metrics (default true). */
  write?: boolean;
}

export interface EvalResult {
  model: string;
  dataset: string;
  images: number;
  metrics: Record<string, number>;
  /** Human-readable lines for the model card. */
  markdown: string;
}

/** Scores below this are not needed for AP: they add recall only far down the precision curve. */
const AP_MIN_SCORE = 0.05;

export async function evaluateModel(name: string, dataDir: string, options: EvalOptions = {}): Promise<EvalResult> {
  const modelsDir = options.modelsDir ?? MODELS_DIR;
  const entry = await readModelEntry(name, modelsDir);
  const model = await loadModel(name, options);
  const dataset = datasetName(dataDir);
  let result: EvalResult;
  try {
    if (model.task === 'detect') {
      const set = openYoloSet(dataDir);
      const names = await readClassNames(dataDir);
      const labels = model.manifest.labels.map((l) => l.toLowerCase());
      // Dataset class i is model class toModel[i] (matched by name); unmatched classes stay as truths nothing can find.
      const toModel = names ? names.map((n) => labels.indexOf(n.toLowerCase())) : undefined;
      if (names && toModel!.every((i) => i < 0)) {
        throw new VigilError('VIGIL_ERR_MODEL_EVAL_DATA', `None of the classes of ${dataDir} (${names.join(', ')}, from data.yaml) is a label of model "${name}" (${model.manifest.labels.slice(0, 6).join(', ')}, ...); there is nothing to score. Evaluate on data labelled with the model's classes.`);
      }
      const images = set.images.slice(0, options.limit ?? Infinity);
      const scored: { truths: GroundTruth[]; predictions: Prediction[] }[] = [];
      for (const image of images) {
        const [detections] = await model.detect([image], { minScore: Math.min(AP_MIN_SCORE, model.manifest.thresholds.score) });
        const truths = (await set.labelFor(image)).map((t) => ({ ...t, classIndex: toModel ? toModel[t.classIndex] ?? -1 : t.classIndex }));
        scored.push({ truths: truths.filter((t) => t.classIndex >= 0), predictions: detections!.map((d) => ({ classIndex: d.classIndex, box: d.box, score: d.score })) });
      }
      const r = evaluateDetections(scored, model.manifest.thresholds.score);
      const ignored = names && toModel ? names.filter((_, i) => toModel[i]! < 0) : [];
      const metrics = { mAP50: r.mAP50, precision: r.atThreshold.precision, recall: r.atThreshold.recall, f1: r.atThreshold.f1 };
      const perClass = Object.entries(r.apPerClass).map(([c, ap]) => `| ${model.manifest.labels[Number(c)] ?? `class ${c}`} | ${ap.toFixed(3)} |`);
      result = {
        model: name, dataset, images: images.length, metrics,
        markdown: [
          `Detection on \`${dataset}\` (${images.length} images, YOLO labels${names ? `, classes ${names.join(', ')}` : ''}):`,
          ...(ignored.length > 0 ? ['', `Dataset classes the model has no label for (not scored): ${ignored.join(', ')}.`] : []),
          '',
          `- mAP@0.5: **${r.mAP50.toFixed(3)}**`,
          `- at the default threshold ${r.atThreshold.threshold}: precision ${r.atThreshold.precision.toFixed(3)}, recall ${r.atThreshold.recall.toFixed(3)}, F1 ${r.atThreshold.f1.toFixed(3)} (TP ${r.atThreshold.tp}, FP ${r.atThreshold.fp}, FN ${r.atThreshold.fn})`,
          '',
          '| class | AP@0.5 |',
          '|---|---|',
          ...perClass,
        ].join('\n'),
      };
    } else if (model.task === 'classify') {
      const items = openClassFolders(dataDir, model.manifest.labels).slice(0, options.limit ?? Infinity);
      const pairs: { truth: number; predicted: number }[] = [];
      for (const item of items) {
        const [c] = await model.classify([item.image]);
        pairs.push({ truth: item.truth, predicted: model.manifest.labels.indexOf(c!.top.label) });
      }
      const r = evaluateClassification(pairs, model.manifest.labels);
      const metrics: Record<string, number> = { accuracy: r.accuracy };
      for (const [label, v] of Object.entries(r.perClass)) { metrics[`${label}.precision`] = v.precision; metrics[`${label}.recall`] = v.recall; metrics[`${label}.f1`] = v.f1; }
      result = {
        model: name, dataset, images: items.length, metrics,
        markdown: [
          `Classification on \`${dataset}\` (${items.length} images): accuracy **${r.accuracy.toFixed(3)}**`,
          '',
          '| class | precision | recall | F1 |',
          '|---|---|---|---|',
          ...Object.entries(r.perClass).map(([l, v]) => `| ${l} | ${v.precision.toFixed(3)} | ${v.recall.toFixed(3)} | ${v.f1.toFixed(3)} |`),
          '',
          `Confusion matrix (rows truth, columns predicted; ${r.labels.join(', ')}):`,
          '',
          '```',
          ...r.confusion.map((row, i) => `${r.labels[i]!.padEnd(16)} ${row.map((n) => String(n).padStart(6)).join('')}`),
          '```',
        ].join('\n'),
      };
    } else {
      const { pairs } = openMaskSet(dataDir);
      const chosen = pairs.slice(0, options.limit ?? Infinity);
      const masks: { truth: Uint8Array; predicted: Uint8Array }[] = [];
      for (const { image, mask } of chosen) {
        const truthImg = await sharp(mask).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
        const [seg] = await model.segment([image]);
        const predicted = await sharp(Buffer.from(seg!.mask.map((v) => v * 255)), { raw: { width: seg!.width, height: seg!.height, channels: 1 } })
          .resize(truthImg.info.width, truthImg.info.height, { fit: 'fill', kernel: 'nearest' }).extractChannel(0).raw().toBuffer();
        masks.push({ truth: truthImg.data.map((v) => (v >= 128 ? 1 : 0)), predicted: predicted.map((v) => (v >= 128 ? 1 : 0)) });
      }
      const r = evaluateSegmentation(masks);
      result = {
        model: name, dataset, images: chosen.length, metrics: { iou: r.iou, f1: r.f1, meanImageIou: r.meanImageIou },
        markdown: `Segmentation on \`${dataset}\` (${chosen.length} images): pixel IoU **${r.iou.toFixed(3)}**, F1 ${r.f1.toFixed(3)}, mean per-image IoU ${r.meanImageIou.toFixed(3)}`,
      };
    }
  } finally {
    await model.close();
  }
  if (options.write !== false) await writeResults(entry.dir, result);
  return result;
}

/** "fire-smoke/cctv-fire8/test" style name: the last three path parts. */
function datasetName(dir: string): string {
  return dir.replace(/\/+$/, '').split('/').slice(-3).join('/');
}

async function writeResults(modelDir: string, r: EvalResult): Promise<void> {
  const cardPath = join(modelDir, 'MODEL_CARD.md');
  const card = existsSync(cardPath) ? await readFile(cardPath, 'utf8') : `# ${basename(modelDir)}\n`;
  const begin = `<!-- eval:${r.dataset} -->`;
  const end = `<!-- /eval:${r.dataset} -->`;
  const section = `${begin}\n${r.markdown}\n\n_Written by \`vigil models eval\` on ${new Date().toISOString().slice(0, 10)}._\n${end}`;
  const at = card.indexOf(begin);
  const stop = card.indexOf(end);
  const next = at >= 0 && stop > at ? card.slice(0, at) + section + card.slice(stop + end.length) : `${card.trimEnd()}\n\n${section}\n`;
  await writeFile(cardPath, next);
  const manifestPath = join(modelDir, 'model.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { metrics?: Record<string, Record<string, number>> };
  manifest.metrics = { ...manifest.metrics, [r.dataset]: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, Math.round(v * 1000) / 1000])) };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}
