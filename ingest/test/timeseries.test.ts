import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteTimeSeriesWriter, int, toLineProtocol } from '../src/index.js';
import { timeSeriesConformance } from './conformance/timeseries-suite.js';

timeSeriesConformance('SQLite (embedded)', async () => {
  const writer = new SqliteTimeSeriesWriter(':memory:');
  return { writer, close: () => writer.close() };
});

test('line protocol: integers get "i", strings are quoted, special characters escaped', () => {
  assert.equal(
    toLineProtocol({ measurement: 'a b,c', tags: { 'k=1': 'v 1,2', empty: '' }, fields: { n: int(3.9), s: 'x "y" \\', f: 1.5, b: false }, time: 1700000000123 }),
    'a\\ b\\,c,k\\=1=v\\ 1\\,2 n=3i,s="x \\"y\\" \\\\",f=1.5,b=false 1700000000123',
  );
  assert.throws(() => toLineProtocol({ measurement: 'm', tags: {}, fields: { v: Number.NaN }, time: 0 }), /not a finite number/);
  assert.throws(() => toLineProtocol({ measurement: 'm', tags: {}, fields: {}, time: 0 }), /no fields/);
});
