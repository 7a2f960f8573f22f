import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { generatedFiles } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('generated JSON Schemas, AsyncAPI and the config reference in docs/ are in sync with the contract', () => {
  const files = generatedFiles();
  assert.ok(Object.keys(files).length >= 8);
  for (const [path, content] of Object.entries(files)) {
    let onDisk = '';
    try {
      onDisk = readFileSync(join(root, path), 'utf8');
    } catch {
      assert.fail(`${path} is missing: run npm run generate`);
    }
    assert.equal(onDisk, content, `${path} is out of date: run npm run generate`);
  }
});

test('the AsyncAPI document names every channel of the topic tree', () => {
  const doc = parse(generatedFiles()['docs/contract/asyncapi.yaml']!) as { asyncapi: string; channels: Record<string, { address: string }> };
  assert.equal(doc.asyncapi, '3.0.0');
  const addresses = Object.values(doc.channels).map((c) => c.address);
  for (const a of ['vigil/v1/{site}/{gateway}/{camera}/event', 'vigil/v1/{site}/{gateway}/status', 'vigil/v1/{site}/{gateway}/config']) {
    assert.ok(addresses.includes(a), a);
  }
});

test('every config field has a description (the schema doubles as docs and form labels)', () => {
  const schema = JSON.parse(generatedFiles()['docs/contract/gateway-config-file.schema.json']!) as object;
  const missing: string[] = [];
  const walk = (node: Record<string, unknown>, path: string) => {
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [k, child] of Object.entries(props ?? {})) {
      if (!child.description) missing.push(`${path}.${k}`);
      walk(child, `${path}.${k}`);
      const items = child.items as Record<string, unknown> | undefined;
      if (items && !Array.isArray(items)) walk(items, `${path}.${k}[]`);
    }
  };
  walk(schema as Record<string, unknown>, '');
  assert.deepEqual(missing, []);
});
