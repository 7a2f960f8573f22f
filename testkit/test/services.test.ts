import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import {
  ffmpegSkip,
  influxSkip,
  makeClip,
  mosquittoSkip,
  postgresSkip,
  rtspSkip,
  startInflux,
  startMosquitto,
  startPostgres,
  startRtspServer,
} from '../src/index.js';

const run = promisify(execFile);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('Mosquitto: a QoS 1 message round-trips, and stop() ends the broker process itself', { skip: mosquittoSkip() }, async () => {
  const broker = await startMosquitto();
  const pid = broker.pid;
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  try {
    await client.subscribeAsync('t/#', { qos: 1 });
    const got = new Promise<string>((resolve) => client.once('message', (_t, p) => resolve(p.toString())));
    await client.publishAsync('t/1', 'hello', { qos: 1 });
    assert.equal(await got, 'hello');
  } finally {
    await client.endAsync();
    await broker.stop();
  }
  assert.equal(alive(pid), false, 'the broker PID must be gone after stop()');
});

test('InfluxDB 1.x: line protocol written to /write is read back by /query', { skip: influxSkip() }, async () => {
  const influx = await startInflux();
  try {
    await influx.query('CREATE DATABASE vigil');
    const res = await fetch(`${influx.url}/write?db=vigil&precision=ms`, { method: 'POST', body: 'water,camera=cam-1 level_cm=12.5,frames=3i 1700000000000\n' });
    assert.equal(res.status, 204, await res.text());
    const out = (await influx.query('SELECT level_cm, frames FROM water', 'vigil')) as { results: { series?: { values: unknown[][] }[] }[] };
    assert.deepEqual(out.results[0]?.series?.[0]?.values[0]?.slice(1), [12.5, 3]);
  } finally {
    await influx.stop();
  }
});

test('PostgreSQL: a throw-away server answers queries', { skip: postgresSkip() }, async () => {
  const server = await startPostgres();
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    const r = await client.query<{ n: number }>('SELECT 40 + 2 AS n');
    assert.equal(r.rows[0]?.n, 42);
  } finally {
    await client.end();
    await server.stop();
  }
});

test('RTSP server: ffmpeg reads the served clip, and wrong credentials get 401', { skip: rtspSkip() || ffmpegSkip() }, async () => {
  const clip = makeClip({ seconds: 6 });
  const server = await startRtspServer({ clip, user: 'admin', password: 'secret' });
  try {
    const ok = await run('ffmpeg', ['-hide_banner', '-rtsp_transport', 'tcp', '-i', server.url, '-frames:v', '5', '-f', 'null', '-']);
    assert.match(ok.stderr, /frame=\s*5/);
    await assert.rejects(
      run('ffmpeg', ['-hide_banner', '-rtsp_transport', 'tcp', '-i', server.url.replace('secret', 'wrong'), '-frames:v', '1', '-f', 'null', '-']),
      (err: { stderr: string }) => /401/.test(err.stderr),
    );
  } finally {
    await server.stop();
  }
});
