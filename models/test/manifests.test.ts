import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MODELS_DIR, ModelManifest, listModelNames, readModelEntry } from '../src/index.js';

test('every model.json in the repository is a valid manifest whose name matches its folder', async () => {
  const names = listModelNames(MODELS_DIR);
  assert.ok(names.includes('centernet-coco'));
  for (const name of names) await readModelEntry(name, MODELS_DIR);
});

test('models/model.schema.json (for editors) is the TypeBox schema; regenerate with: npx tsx models/src/write-schema.ts', () => {
  const onDisk = JSON.parse(readFileSync(join(MODELS_DIR, 'model.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(ModelManifest)));
});
