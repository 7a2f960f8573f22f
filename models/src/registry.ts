import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VigilError } from '@vigil/contracts';
import { convertHumanCenternet } from './convert/human-centernet.js';
import { parseManifest, type ModelManifest } from './manifest.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = join(PACKAGE_DIR, '..');

/**
 * Where model folders (<name>/model.json, MODEL_CARD.md) are looked up: env VIGIL_MODELS_DIR, default
 * the repository's models/ folder.
 */
export const MODELS_DIR = process.env['VIGIL_MODELS_DIR'] ?? PACKAGE_DIR;

/** Shared data folder (datasets, third-party reference models): env VIGIL_DATA_DIR, default ../shared/data. */
export function dataDir(): string {
  return process.env['VIGIL_DATA_DIR'] ?? join(REPO_ROOT, '..', 'shared', 'data');
}

export interface ModelEntry {
  manifest: ModelManifest;
  /** The model's folder (model.json, MODEL_CARD.md). */
  dir: string;
  /** Resolved path of the ONNX file (a generated model may move to the user cache, see ensureVerifiedFile). */
  onnxPath: string;
}

/** Where a generated model goes when the repository's model folder is read-only. */
function userCachePath(name: string): string {
  return join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'vigil', 'models', `${name}.onnx`);
}

/** Names of the models under `modelsDir` (folders holding a model.json). */
export function listModelNames(modelsDir = MODELS_DIR): string[] {
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(modelsDir, d.name, 'model.json')))
    .map((d) => d.name)
    .sort();
}

export async function readModelEntry(name: string, modelsDir = MODELS_DIR): Promise<ModelEntry> {
  const dir = join(modelsDir, name);
  const manifestPath = join(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    const known = existsSync(modelsDir) ? listModelNames(modelsDir) : [];
    throw new VigilError('VIGIL_ERR_MODEL_NOT_FOUND', `No model "${name}": ${manifestPath} does not exist. Known models: ${known.join(', ') || '(none)'}; run \`vigil models list\`.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `${manifestPath} is not valid JSON: ${(err as Error).message}. Fix the file.`);
  }
  const manifest = parseManifest(json, manifestPath);
  if (manifest.name !== name) {
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `${manifestPath} says its name is "${manifest.name}" but it lives in folder "${name}". Make them equal.`);
  }
  let onnxPath = resolveModelPath(manifest.file.path, dir);
  if (manifest.file.generator && !existsSync(onnxPath) && existsSync(userCachePath(name))) onnxPath = userCachePath(name);
  return { manifest, dir, onnxPath };
}

export function resolveModelPath(path: string, dir: string): string {
  const prefix = '${VIGIL_DATA_DIR}/';
  if (path.startsWith(prefix)) return join(dataDir(), path.slice(prefix.length));
  return isAbsolute(path) ? path : join(dir, path);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Makes sure the model's ONNX file exists and matches the manifest's sha256: generated models are
 * converted on first use; third-party files must be present under VIGIL_DATA_DIR.
 */
export async function ensureVerifiedFile(entry: ModelEntry): Promise<{ bytes: number }> {
  const { manifest, onnxPath } = entry;
  if (!existsSync(onnxPath)) {
    if (manifest.file.generator === 'human-centernet') {
      try {
        await convertHumanCenternet(entry.onnxPath);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw err;
        entry.onnxPath = userCachePath(manifest.name);
        await convertHumanCenternet(entry.onnxPath);
      }
    } else if (manifest.file.path.startsWith('${VIGIL_DATA_DIR}/')) {
      throw new VigilError('VIGIL_ERR_MODEL_NOT_FOUND', `Model "${manifest.name}" needs ${onnxPath}, which is not there. It is a third-party file we do not ship: set VIGIL_DATA_DIR to the shared data folder that holds it (source: ${manifest.source.url}).`);
    } else {
      throw new VigilError('VIGIL_ERR_MODEL_NOT_FOUND', `Model "${manifest.name}": ${onnxPath} is missing. Restore it from the repository (git checkout) or retrain it.`);
    }
  }
  let actual = await sha256File(entry.onnxPath);
  if (actual !== manifest.file.sha256 && manifest.file.generator === 'human-centernet') {
    // Left by an older Vigil whose converter wrote a different graph (e.g. fewer outputs): rebuild once.
    await convertHumanCenternet(entry.onnxPath);
    actual = await sha256File(entry.onnxPath);
  }
  if (actual !== manifest.file.sha256) {
    const fix = manifest.file.generator
      ? `It is generated and was rebuilt just now, and still differs: the converter or the @vladmandic/human package changed, so re-check parity and update file.sha256 in ${join(entry.dir, 'model.json')}.`
      : `Replace it with the file the manifest describes (source: ${manifest.source.url}), or if you changed the model on purpose, update file.sha256 in ${join(entry.dir, 'model.json')}.`;
    throw new VigilError('VIGIL_ERR_MODEL_CHECKSUM', `Model "${manifest.name}": ${entry.onnxPath} has sha256 ${actual} but model.json expects ${manifest.file.sha256}. ${fix}`);
  }
  return { bytes: (await stat(entry.onnxPath)).size };
}
