import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { validateMessage } from '@vigil/contracts';
import { ViolationEvidence, type Evidenced } from '../../src/analytics/traffic/evidence.js';
import { EvidenceStore } from '../../src/evidence/evidence-store.js';
import { RecordedSignal } from '../../src/analytics/traffic/signal/signal-state.js';
import { TrafficAnalytics } from '../../src/analytics/traffic/traffic-analytics.js';
import { CountingSequence } from '../../src/analytics/traffic/traffic-events.js';
import type { RgbImage } from '../../src/analytics/traffic/signal/lamp-colour.js';
import { junctionCamera } from './scenario.js';

const W = 320;
const H = 240;

/** Grey road with a magenta "motorbike" whose ground point is at (x, y). */
function scene(x: number, y: number): RgbImage {
  const data = new Uint8Array(W * H * 3).fill(110);
  const [bw, bh] = [0.04 * W, 0.08 * H];
  for (let py = Math.round(y * H - bh); py < Math.round(y * H); py++)
    for (let px = Math.round(x * W - bw / 2); px < Math.round(x * W + bw / 2); px++) data.set([230, 20, 200], (py * W + px) * 3);
  return { width: W, height: H, data };
}

test('red-light evidence: before/at/after frames annotated, a crop of the vehicle, sha256-named files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-evidence-'));
  try {
    const camera = junctionCamera();
    const signal = new RecordedSignal();
    const t0 = Date.UTC(2026, 10, 22, 8);
    signal.timeline.record(t0, 'red');
    const analytics = new TrafficAnalytics(camera, signal, { site: 'hanoi', gateway: 'gw-test', sequence: new CountingSequence() });
    const evidence = new ViolationEvidence(camera, { dir });
    const done: Evidenced[] = [];
    for (let f = 0; f <= 30; f++) {
      const at = t0 + 5000 + f * 200;
      // Rides up from y 0.9 to 0.3 over 6 s at x 0.3; gets nearer the camera (bigger) at the start.
      const y = 0.9 - 0.02 * f;
      const image = scene(0.3, y);
      done.push(...(await evidence.addFrame(image, at)));
      const box = { x1: 0.28, y1: y - 0.08, x2: 0.32, y2: y };
      for (const j of analytics.observe([{ id: 7, cls: 'motorbike', box, score: 0.9 }], at)) evidence.request(j);
    }
    done.push(...(await evidence.flush()));
    const red = done.filter((d) => d.judgement.violation.type === 'red_light');
    assert.equal(red.length, 1);
    const refs = red[0]!.evidence;
    assert.deepEqual(
      refs.map((r) => r.kind),
      ['snapshot', 'snapshot', 'snapshot', 'crop'],
    );
    const times = refs.slice(0, 3).map((r) => Date.parse(r.at!));
    const violationAt = red[0]!.judgement.violation.at;
    assert.deepEqual(times, [violationAt - 1000, violationAt, violationAt + 600]);
    for (const r of refs) {
      const bytes = readFileSync(join(dir, `${r.sha256}.jpg`));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), r.sha256);
      assert.equal(bytes.length, r.bytes);
    }
    // The snapshot at the violation shows the stop line in red (y = 0.5, x 0.1-0.9) where the raw frame is grey.
    const at = await sharp(readFileSync(join(dir, `${refs[1]!.sha256}.jpg`))).raw().toBuffer({ resolveWithObject: true });
    assert.equal(at.info.width, W);
    const o = (Math.round(0.5 * H) * W + Math.round(0.7 * W)) * 3;
    assert.ok(at.data[o]! > 200 && at.data[o + 1]! < 80, `stop line pixel ${at.data[o]},${at.data[o + 1]},${at.data[o + 2]}`);
    // The crop is the motorbike with a margin: mostly magenta, about its size.
    const crop = await sharp(readFileSync(join(dir, `${refs[3]!.sha256}.jpg`))).raw().toBuffer({ resolveWithObject: true });
    assert.ok(crop.info.width >= 0.04 * W && crop.info.width <= 0.04 * W * 1.5, `crop width ${crop.info.width}`);
    const c = (Math.floor(crop.info.height / 2) * crop.info.width + Math.floor(crop.info.width / 2)) * 3;
    assert.ok(crop.data[c]! > 180 && crop.data[c + 1]! < 90 && crop.data[c + 2]! > 150, 'crop centre is the vehicle');

    const event = analytics.event(red[0]!.judgement, refs);
    assert.ok(validateMessage('event', event).ok);
    assert.equal(event.evidence.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('frames older than keepMs are dropped; a violation without frames gets no evidence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-evidence-'));
  try {
    const camera = junctionCamera();
    const evidence = new ViolationEvidence(camera, { dir, keepMs: 1000 });
    for (let f = 0; f < 20; f++) await evidence.addFrame(scene(0.5, 0.5), f * 200);
    // Only frames within 1 s of the newest are kept.
    assert.deepEqual(evidence.heldFrames(), [2800, 3000, 3200, 3400, 3600, 3800]);
    const empty = new ViolationEvidence(camera, { dir });
    empty.request({
      violation: { type: 'speeding', phase: 'start', incidentKey: 'k', trackId: 1, cls: 'car', box: { x1: 0, y1: 0, x2: 0.1, y2: 0.1 }, at: 0, startedAt: 0, score: 1, attributes: { speed_kmh: 50, limit_kmh: 40 } },
      speedKmh: 50,
      path: [],
      signal: { phase: 'unknown', since: undefined, secondsIntoRed: 0 },
    });
    const out = await empty.flush();
    assert.deepEqual(out[0]!.evidence, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('evidence goes through the gateway EvidenceStore when one is given (budget and retention apply)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-evidence-store-'));
  try {
    const store = await EvidenceStore.open({ dir, maxBytes: 50 * 1024 * 1024, retentionMs: 86_400_000 });
    const camera = junctionCamera();
    const evidence = new ViolationEvidence(camera, { store });
    const path = [0, 200, 400].map((at, i) => ({ at, box: { x1: 0.28, y1: 0.5 - 0.02 * i, x2: 0.32, y2: 0.58 - 0.02 * i }, point: [0.3, 0.58 - 0.02 * i] as const }));
    for (const p of path) await evidence.addFrame(scene(0.3, p.box.y2), p.at);
    evidence.request({
      violation: { type: 'lane_violation', phase: 'start', incidentKey: 'k', trackId: 3, cls: 'car', box: path[1]!.box, at: 200, startedAt: 0, zone: 'lane-in', score: 0.9, attributes: { zone_kind: 'lane', allowed_classes: ['motorbike'] } },
      speedKmh: undefined,
      path,
      signal: { phase: 'green', since: 0, secondsIntoRed: 0 },
    });
    const [done] = await evidence.flush();
    assert.deepEqual(
      done!.evidence.map((r) => r.kind),
      ['snapshot', 'snapshot', 'snapshot', 'crop'],
    );
    assert.deepEqual(
      store.list().map((f) => f.sha256).sort(),
      done!.evidence.map((r) => r.sha256).sort(),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
