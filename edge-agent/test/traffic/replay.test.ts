import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateMessage, type VigilEvent } from '@vigil/contracts';
import { parseReplayLine, replayTracks } from '../../src/analytics/traffic/replay.js';
import { junctionCamera } from './scenario.js';

const root = new URL('../../../', import.meta.url).pathname;

test('replay lines: track points, signal changes, ISO times and COCO labels', () => {
  assert.deepEqual(parseReplayLine('{"t": 1.5, "track": 3, "class": "motorcycle", "box": [0.1, 0.2, 0.3, 0.4]}', 1, 1000), {
    kind: 'track',
    at: 2500,
    track: { id: 3, cls: 'motorbike', box: { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 }, score: 1 },
  });
  assert.deepEqual(parseReplayLine('{"t": "2026-11-22T08:00:00.000Z", "signal": "red"}', 2), { kind: 'signal', at: Date.UTC(2026, 10, 22, 8), phase: 'red' });
  assert.equal(parseReplayLine('   ', 3), undefined);
  assert.equal(parseReplayLine('# a comment', 4), undefined);
});

test('replay lines: each mistake is named with its line and the fix', () => {
  const cases: [string, RegExp][] = [
    ['{"t": 1, "track": 1, "class": "car", "box": [0.1, 0.2, 0.3]}', /line 7: "box" must be \[x1, y1, x2, y2\]/],
    ['{"t": 1, "track": 1, "class": "car", "box": [0.3, 0.2, 0.1, 0.4]}', /line 7: "box" must have x2 > x1/],
    ['{"t": 1, "track": 1, "class": "tram", "box": [0.1, 0.2, 0.3, 0.4]}', /line 7: "class" must be one of .*got "tram"/],
    ['{"t": "yesterday", "track": 1, "class": "car", "box": [0.1, 0.2, 0.3, 0.4]}', /line 7: "t" must be seconds/],
    ['{"t": 1, "signal": "blue"}', /line 7: "signal" must be one of red, amber, green, unknown/],
    ['{"t": 1, "track": -2, "class": "car", "box": [0.1, 0.2, 0.3, 0.4]}', /line 7: "track" must be a non-negative integer/],
    ['{"t": 1, track: 1}', /line 7: not valid JSON/],
    ['[1, 2]', /line 7: expected a JSON object/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseReplayLine(text, 7), (e: Error & { code?: string }) => e.code === 'VIGIL_ERR_REPLAY_INPUT' && message.test(e.message));
});

test('replay keeps going past bad lines and reports them; time going backwards is a bad line', async () => {
  const lines = [
    '{"t": 0, "signal": "red"}',
    '{"t": 5.0, "track": 1, "class": "motorbike", "box": [0.28, 0.57, 0.32, 0.65]}',
    'not json',
    '{"t": 5.2, "track": 1, "class": "motorbike", "box": [0.28, 0.50, 0.32, 0.58]}',
    '{"t": 4.0, "track": 2, "class": "car", "box": [0.1, 0.1, 0.2, 0.2]}',
    '{"t": 5.4, "track": 1, "class": "motorbike", "box": [0.28, 0.43, 0.32, 0.51]}',
    '{"t": 5.4, "track": 1, "class": "motorbike", "box": [0.28, 0.43, 0.32, 0.51]}',
    '{"t": 5.6, "track": 1, "class": "motorbike", "box": [0.28, 0.36, 0.32, 0.44]}',
  ];
  const r = await replayTracks(lines, junctionCamera(), { startMs: Date.UTC(2026, 10, 22, 8) });
  assert.deepEqual(
    r.problems.map((p) => p.message.match(/^line \d+/)?.[0]),
    ['line 3', 'line 5', 'line 7'],
  );
  assert.equal(r.frames, 4);
  assert.deepEqual(
    r.events.map((e) => [e.type, e.track_id]),
    [['red_light', 1]],
  );
});

test('vigil replay on the documented example writes exactly the documented events', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
  try {
    const out = join(dir, 'events.jsonl');
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin/vigil.mjs'), 'replay', '--camera', 'docs/examples/hanoi-intersection.yaml', '--tracks', 'docs/examples/hanoi-tracks.jsonl', '--start', '2022-09-25T09:46:00Z', '--out', out],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /replayed 29 frame\(s\): red_light\/start 1, lane_violation\/start 1; counts: stop-lth\/motorbike 2/);
    const events = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as VigilEvent);
    for (const e of events) assert.ok(validateMessage('event', e).ok);
    assert.deepEqual(
      events.map((e) => [e.type, e.track_id, e.zone, e.frame_at, e.seq, e.site, e.gateway, e.camera]),
      [
        ['red_light', 1, 'stop-lth', '2022-09-25T09:46:10.000Z', 0, 'hanoi', 'gw-hoan-kiem-01', 'ly-thuong-kiet-hang-bai'],
        ['lane_violation', 2, 'sidewalk-east', '2022-09-25T09:46:21.000Z', 1, 'hanoi', 'gw-hoan-kiem-01', 'ly-thuong-kiet-hang-bai'],
      ],
    );
    const red = events[0]!;
    assert.ok(red.type === 'red_light');
    assert.equal(red.attributes.seconds_into_red, 9.39);

    // A bad line: exit 1, the line named, the good lines still replayed.
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, readFileSync(join(root, 'docs/examples/hanoi-tracks.jsonl'), 'utf8').replace('"class": "car"', '"class": "tank"'));
    const r2 = spawnSync(process.execPath, [join(root, 'bin/vigil.mjs'), 'replay', '--camera', 'docs/examples/hanoi-intersection.yaml', '--tracks', bad], { cwd: root, encoding: 'utf8' });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /line \d+: "class" must be one of .* got "tank"/);
    assert.match(r2.stdout, /"type":"red_light"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
