import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { influxSkip, startInflux, type InfluxHandle } from '@vigil/testkit';
import { InfluxTimeSeriesWriter } from '../src/index.js';
import { timeSeriesConformance } from './conformance/timeseries-suite.js';

const skip = influxSkip();
let influx: InfluxHandle | undefined;
before(async () => {
  if (!skip) influx = await startInflux();
});
after(async () => influx?.stop());

let n = 0;
timeSeriesConformance(
  'InfluxDB 1.x (real server, v1 /write)',
  async () => {
    const writer = new InfluxTimeSeriesWriter({ url: influx!.url, database: `vigil_conf_${n++}`, bufferPath: join(mkdtempSync(join(tmpdir(), 'vigil-ts-')), 'buffer.sqlite'), lingerMs: 20 });
    return { writer, close: () => writer.close() };
  },
  { skip },
);

test('points refused by InfluxDB (field type conflict) are set aside, not retried forever', { skip }, async () => {
  const writer = new InfluxTimeSeriesWriter({ url: influx!.url, database: 'vigil_reject', bufferPath: join(mkdtempSync(join(tmpdir(), 'vigil-ts-')), 'b.sqlite'), lingerMs: 10 });
  try {
    await writer.write([{ measurement: 'm', tags: {}, fields: { v: 1.5 }, time: 1_000 }]);
    await writer.flush(20_000);
    await writer.write([{ measurement: 'm', tags: {}, fields: { v: 'text' }, time: 2_000 }]);
    await writer.flush(20_000);
    assert.equal(writer.pending(), 0);
    assert.equal(writer.rejected().length, 1);
    assert.match(writer.rejected()[0]!.error, /field type conflict/);
  } finally {
    await writer.close();
  }
});
