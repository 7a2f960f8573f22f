import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { exampleFloodEvent, validateMessage, type VigilEvent } from '@vigil/contracts';
import { fieldFireScene, renderRgb } from '@vigil/demo';
import { ffmpegSkip } from '@vigil/testkit';
import type { ImageView } from '../../src/analytics/flood/index.js';
import { annotateSnapshot, EvidenceRecorder, EvidenceStore, FrameRing } from '../../src/evidence/index.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tempDir = () => mkdtemp(join(tmpdir(), 'vigil-evidence-'));

function grey(width: number, height: number, v = 40): ImageView {
  return { width, height, data: Buffer.alloc(width * height * 3, v), format: 'rgb24' };
}

test('snapshot: a JPEG of the frame with the box drawn where the detection is', async () => {
  const jpeg = await annotateSnapshot(grey(320, 180), {
    camera: 'cam-1',
    at: Date.UTC(2026, 10, 22, 3),
    label: 'fire · start',
    boxes: [{ x1: 0.5, y1: 0.5, x2: 0.75, y2: 0.9, label: 'fire', score: 0.9 }],
    zones: [{ id: 'rice', polygon: [[0.1, 0.4], [0.9, 0.4], [0.9, 0.95], [0.1, 0.95]] }],
  });
  assert.equal(jpeg.subarray(0, 2).toString('hex'), 'ffd8');
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [320, 180]);
  const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
  const [r, g] = px(160, 130); // on the box's left edge, under the label band
  assert.ok(r! > 180 && g! < 120, `box edge is red: ${px(160, 130)}`);
  const [r2, g2, b2] = px(200, 140); // inside the box: the frame shows through
  assert.ok(Math.abs(r2! - 40) < 25 && Math.abs(g2! - 40) < 25 && Math.abs(b2! - 40) < 25, `inside is the frame: ${[r2, g2, b2]}`);
});

test('store: files are named and referenced by their sha256; the byte budget evicts oldest first', async () => {
  const dir = await tempDir();
  let now = Date.UTC(2026, 10, 22, 3);
  const protectedPaths = new Set<string>();
  const store = await EvidenceStore.open({ dir, maxBytes: 25_000, retentionMs: 3_600_000, now: () => now, canEvict: (f) => !protectedPaths.has(f.path) });
  const files: { path: string; data: Buffer }[] = [];
  for (let i = 0; i < 5; i++) {
    const data = Buffer.alloc(10_000, i);
    const { ref, path } = await store.put(data, 'jpg', 'snapshot', 'image/jpeg', now);
    assert.equal(ref.sha256, sha(data));
    assert.equal(ref.bytes, 10_000);
    assert.equal(path, join(dir, `${sha(data)}.jpg`));
    assert.deepEqual(await readFile(path), data);
    files.push({ path, data });
    if (i === 0) protectedPaths.add(path); // not yet delivered: kept past the budget
    now += 1000;
  }
  const left = (await readdir(dir)).filter((n) => n !== '.partial').sort();
  assert.deepEqual(left, [files[0]!, files[4]!].map((f) => `${sha(f.data)}.jpg`).sort(), 'protected oldest + newest; 1..3 evicted oldest first');
  assert.ok(store.usedBytes <= 25_000);
  // retention removes even protected files once they are older than the retention period
  now += 3_600_000;
  await store.enforce();
  assert.deepEqual((await readdir(dir)).filter((n) => n !== '.partial'), []);
  assert.equal(store.usedBytes, 0);
  await rm(dir, { recursive: true, force: true });
});

test('store: reopening indexes the files already on disk and drops half-written ones', async () => {
  const dir = await tempDir();
  const first = await EvidenceStore.open({ dir, maxBytes: 1e9, retentionMs: 1e12 });
  const a = await first.put(Buffer.from('a'.repeat(500)), 'jpg', 'snapshot', 'image/jpeg', Date.now());
  await writeFile(first.partialPath('mp4'), 'half a clip');
  await utimes(a.path, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
  const again = await EvidenceStore.open({ dir, maxBytes: 1e9, retentionMs: 5_000 });
  assert.equal(again.usedBytes, 500);
  assert.deepEqual(await readdir(join(dir, '.partial')), []);
  await again.enforce();
  assert.equal(again.usedBytes, 0, 'the reopened file is past retention (by its mtime)');
  await rm(dir, { recursive: true, force: true });
});

test('frame ring keeps at most fps frames a second for its window, copies pixels', () => {
  const ring = new FrameRing(2, 5);
  const img = grey(8, 8);
  for (let ms = 0; ms <= 10_000; ms += 40) ring.push(ms, img);
  assert.ok(ring.size >= 10 && ring.size <= 11, `size ${ring.size}`);
  img.data[0] = 255;
  assert.equal(ring.between(0, 1e9)[0]!.data[0], 40);
});

test('recorder: start gets a snapshot and an H.264 clip of pre/post frames, hashed into the event; order kept', { skip: ffmpegSkip() }, async () => {
  const dir = await tempDir();
  const store = await EvidenceStore.open({ dir, maxBytes: 50e6, retentionMs: 7 * 86_400_000 });
  const recorder = new EvidenceRecorder({ store, preS: 2, postS: 1, fps: 4 }); // live mode: clips encode in the background
  const scene = fieldFireScene({ width: 320, height: 180, igniteAt: 1 });
  const t0 = Date.UTC(2026, 5, 10, 3);
  const frameAt = async (s: number): Promise<ImageView> => ({ width: 320, height: 180, data: await renderRgb(scene, s), format: 'rgb24' });
  const startAt = t0 + 3000;
  const start = exampleFloodEvent({ type: 'fire', phase: 'start', frame_at: new Date(startAt).toISOString(), started_at: new Date(startAt).toISOString(), evidence: [], attributes: { zone_kind: 'field', frames_confirmed: 3, frames_window: 5 } } as Partial<VigilEvent>);
  const end = { ...start, phase: 'end', ended_at: new Date(startAt + 500).toISOString(), frame_at: new Date(startAt + 500).toISOString(), evidence: [] } as VigilEvent;
  let released: VigilEvent[] = [];
  for (let ms = 0; ms <= 5000; ms += 250) {
    const image = await frameAt(ms / 1000);
    recorder.push(t0 + ms, image);
    if (t0 + ms === startAt) await recorder.record(start, image);
    if (t0 + ms === startAt + 500) {
      await recorder.record(end, image);
      assert.deepEqual(await recorder.take(), [], 'the end waits behind the start whose clip is not done');
    }
    released = released.concat(await recorder.take());
    if (t0 + ms < startAt + 1000) assert.equal(released.length, 0);
  }
  released = released.concat(await recorder.take(true));
  assert.deepEqual(released.map((e) => e.phase), ['start', 'end']);
  const withRefs = released[0]!;
  assert.ok(validateMessage('event', withRefs).ok);
  assert.deepEqual(withRefs.evidence.map((r) => [r.kind, r.content_type]), [['snapshot', 'image/jpeg'], ['clip', 'video/mp4']]);
  for (const ref of withRefs.evidence) {
    const ext = ref.kind === 'clip' ? 'mp4' : 'jpg';
    const bytes = await readFile(join(dir, `${ref.sha256}.${ext}`));
    assert.equal(sha(bytes), ref.sha256);
    assert.equal(bytes.length, ref.bytes);
  }
  const clip = join(dir, `${withRefs.evidence[1]!.sha256}.mp4`);
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'csv=p=0', clip], { encoding: 'utf8' }).trim();
  const [codec, w, h, frames] = probe.split(',');
  assert.deepEqual([codec, w, h], ['h264', '320', '180']);
  // 2 s before to 1 s after at 4 fps: 13 frames
  assert.equal(Number(frames), 13);
  await rm(dir, { recursive: true, force: true });
});

test('recorder: a clip that cannot be encoded does not lose the event; it leaves with its snapshot and the error is reported', async () => {
  const dir = await tempDir();
  const store = await EvidenceStore.open({ dir, maxBytes: 50e6, retentionMs: 86_400_000 });
  const errors: unknown[] = [];
  const recorder = new EvidenceRecorder({ store, preS: 1, postS: 1, fps: 2, ffmpeg: '/bin/false', encodeInBackground: false, onClipError: (e) => errors.push(e) });
  const t0 = Date.UTC(2026, 5, 10, 3);
  const start = exampleFloodEvent({ frame_at: new Date(t0 + 1000).toISOString(), started_at: new Date(t0 + 1000).toISOString(), evidence: [] });
  for (let ms = 0; ms <= 3000; ms += 500) {
    recorder.push(t0 + ms, grey(64, 36));
    if (ms === 1000) await recorder.record(start, grey(64, 36));
  }
  const out = await recorder.take();
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.evidence.map((r) => r.kind), ['snapshot']);
  assert.equal(errors.length, 1);
  assert.match(String((errors[0] as Error).message), /ffmpeg failed to encode/);
  assert.deepEqual((await readdir(join(dir, '.partial'))), [], 'no half-written clip left behind');
  await rm(dir, { recursive: true, force: true });
});
