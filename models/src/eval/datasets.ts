import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { VigilError } from '@vigil/contracts';
import type { GroundTruth } from './metrics.js';

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp']);

export function listImages(dir: string): string[] {
  return readdirSync(dir).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort().map((f) => join(dir, f));
}

/** A YOLO-format detection set: <dir>/images/*.jpg with <dir>/labels/<same name>.txt (class cx cy w h, normalised). */
export interface YoloSet {
  images: string[];
  labelFor(image: string): Promise<GroundTruth[]>;
  /** Class names from data.yaml (in <dir> or its parent), if there is one. */
  classNames?: string[];
}

export function openYoloSet(dir: string): YoloSet {
  const imagesDir = join(dir, 'images');
  const labelsDir = join(dir, 'labels');
  if (!existsSync(imagesDir) || !existsSync(labelsDir)) {
    throw new VigilError('VIGIL_ERR_MODEL_EVAL_DATA', `${dir} is not a YOLO-format detection set: it needs images/ and labels/ folders (labels/<image name>.txt with "class cx cy w h" lines, normalised).`);
  }
  return {
    images: listImages(imagesDir),
    async labelFor(image: string): Promise<GroundTruth[]> {
      const path = join(labelsDir, `${basename(image, extname(image))}.txt`);
      if (!existsSync(path)) return [];
      return parseYoloLabels(await readFile(path, 'utf8'), path);
    },
  };
}

export async function readClassNames(dir: string): Promise<string[] | undefined> {
  for (const candidate of [join(dir, 'data.yaml'), join(dirname(dir), 'data.yaml')]) {
    if (!existsSync(candidate)) continue;
    const doc = parseYaml(await readFile(candidate, 'utf8')) as { names?: string[] | Record<string, string> };
    if (Array.isArray(doc.names)) return doc.names.map(String);
    if (doc.names && typeof doc.names === 'object') return Object.entries(doc.names).sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => String(v));
  }
  return undefined;
}

export function parseYoloLabels(text: string, source: string): GroundTruth[] {
  const out: GroundTruth[] = [];
  text.split('\n').forEach((line, i) => {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return;
    const nums = parts.slice(0, 5).map(Number);
    if (parts.length < 5 || nums.some((n) => !Number.isFinite(n))) {
      throw new VigilError('VIGIL_ERR_MODEL_EVAL_DATA', `${source}:${i + 1}: expected "class cx cy w h" (YOLO format), got "${line.trim()}".`);
    }
    const [c, cx, cy, w, h] = nums as [number, number, number, number, number];
    out.push({ classIndex: c, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2] });
  });
  return out;
}

/** A segmentation set: <dir>/images/* with <dir>/masks/<same base name>.png (foreground where >= 128). */
export function openMaskSet(dir: string): { pairs: { image: string; mask: string }[] } {
  const imagesDir = join(dir, 'images');
  const masksDir = join(dir, 'masks');
  if (!existsSync(imagesDir) || !existsSync(masksDir)) {
    throw new VigilError('VIGIL_ERR_MODEL_EVAL_DATA', `${dir} is not a segmentation set: it needs images/ and masks/ folders (masks/<image base name>.png).`);
  }
  const masks = new Map(readdirSync(masksDir).map((f) => [basename(f, extname(f)), join(masksDir, f)]));
  const pairs = listImages(imagesDir).flatMap((image) => {
    const mask = masks.get(basename(image, extname(image)));
    return mask ? [{ image, mask }] : [];
  });
  return { pairs };
}

/** A classification set: <dir>/<label>/*.jpg. */
export function openClassFolders(dir: string, labels: string[]): { image: string; truth: number }[] {
  const found = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const unknown = found.filter((f) => !labels.includes(f));
  if (found.length === 0 || unknown.length === found.length) {
    throw new VigilError('VIGIL_ERR_MODEL_EVAL_DATA', `${dir} is not a classification set for labels ${labels.join(', ')}: it needs one folder per label holding that label's images.`);
  }
  return labels.flatMap((label, truth) => (existsSync(join(dir, label)) ? listImages(join(dir, label)).map((image) => ({ image, truth })) : []));
}
