import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { frameWith, tinyDetectorOnnx, tinySegmenterOnnx, writeTinyModel } from './tiny-models.js';

const vigil = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'vigil.mjs');
const root = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
const images = join(root, 'images');
after(() => rmSync(root, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; lines: Record<string, unknown>[]; stderr: string } {
  const r = spawnSync(process.execPath, [vigil, ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_MODELS_DIR: join(root, 'models') } });
  return { status: r.status, lines: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr: r.stderr };
}

before(async () => {
  writeTinyModel(join(root, 'models'), 'tiny-det', tinyDetectorOnnx(16, [0, 0, 4, 4]));
  writeTinyModel(join(root, 'models'), 'tiny-seg', tinySegmenterOnnx(16), { task: 'segment' });
  writeTinyModel(join(root, 'models'), 'tiny-bad', tinyDetectorOnnx(16), { sha256: 'f'.repeat(64) });
  mkdirSync(images);
  await sharp(frameWith(32, [{ x: 16, y: 16, w: 8, h: 8, level: 255 }]), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(images, 'one.png'));
  await sharp(frameWith(32, [{ x: 0, y: 0, w: 8, h: 32, level: 255 }]), { raw: { width: 32, height: 32, channels: 3 } }).jpeg({ quality: 100 }).toFile(join(images, 'quarter.jpg'));
});

test('vigil analyze --json: one line per image of a folder, boxes normalised; a missing file gets its own error line and exit 1', () => {
  const r = run('analyze', '--model', 'tiny-det', images, join(root, 'nope.jpg'), '--json');
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.lines.length, 3);
  const one = r.lines.find((l) => String(l['path']).endsWith('one.png'))!;
  const [found] = one['detections'] as { label: string; score: number; box: number[] }[];
  assert.equal((one['detections'] as unknown[]).length, 1);
  // 32 px -> 16 px input: the resize blends the block's edge, so the peak is a little under 1.
  assert.deepEqual([found!.label, found!.box], ['bright', [0.5, 0.5, 0.75, 0.75]]);
  assert.ok(found!.score > 0.8 && found!.score <= 1, String(found!.score));
  assert.equal(one['model'], 'tiny-det');
  const missing = r.lines.find((l) => String(l['path']).endsWith('nope.jpg'))!;
  assert.equal((missing['error'] as { code: string }).code, 'VIGIL_ERR_MODEL_INPUT');
});

test('vigil analyze on a segmentation model: coverage per image and one binary PNG mask per image named after it', async () => {
  const out = join(root, 'masks');
  const r = run('analyze', '--model', 'tiny-seg', images, '--json', '--masks-out', out);
  assert.equal(r.status, 0, r.stderr);
  const quarter = r.lines.find((l) => String(l['path']).endsWith('quarter.jpg'))!;
  assert.ok(Math.abs(Number(quarter['coverage']) - 0.25) < 0.02, String(quarter['coverage']));
  assert.ok(existsSync(join(out, 'one.png')) && existsSync(join(out, 'quarter.png')));
  const { data, info } = await sharp(join(out, 'quarter.png')).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [32, 32]);
  assert.ok([...data].every((v) => v === 0 || v === 255), 'mask is binary');
  assert.equal(data[(10 * 32 + 2) * info.channels], 255);
  assert.equal(data[(10 * 32 + 20) * info.channels], 0);
});

test('vigil analyze with an unknown model or a bad checksum exits 1 with the error code and no stack trace', () => {
  const r = run('analyze', '--model', 'tiny-bad', images, '--json');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /VIGIL_ERR_MODEL_CHECKSUM/);
  assert.doesNotMatch(r.stderr, /    at /);
});

test('vigil models list --json: each model with task, licence and whether it verifies', () => {
  const r = run('models', 'list', '--json');
  const byName = Object.fromEntries(r.lines.map((l) => [l['name'], l]));
  assert.equal(byName['tiny-det']!['verifies'], true);
  assert.equal(byName['tiny-seg']!['task'], 'segment');
  assert.equal(byName['tiny-bad']!['verifies'], false);
  assert.match(String(byName['tiny-bad']!['problem']), /sha256/);
});
