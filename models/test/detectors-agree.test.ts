import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { dataFile, ffmpegSkip } from '@vigil/testkit';
import { boxIou, loadDetector, type Detection } from '../src/index.js';

/**
 * Three detectors with three different decoders (grid offsets, GFL distances, heatmap peaks) and
 * three different input rules (letterbox top-left, letterbox centred, stretch) must put the same
 * clearly visible car in the same place of a real Hanoi frame. A wrong stride order, cell centre or
 * letterbox mapping in any of them moves its box far from the others.
 */
const clip = dataFile('traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4');
const models = dataFile('models/yolox_nano.onnx');

test('YOLOX, NanoDet and CenterNet agree on the cars of a Hanoi frame (box IoU >= 0.7)', { skip: clip.skip || models.skip || ffmpegSkip() }, async () => {
  const jpeg = execFileSync('ffmpeg', ['-loglevel', 'error', '-ss', '10', '-i', clip.path, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '2', 'pipe:1']);
  const cars: Record<string, Detection[]> = {};
  for (const name of ['yolox-nano', 'nanodet-m-416', 'centernet-coco']) {
    const det = await loadDetector(name);
    const [found] = await det.detect([jpeg]);
    cars[name] = found!.filter((d) => d.label === 'car');
    await det.close();
  }
  // The reference: YOLOX's most confident car.
  const reference = [...cars['yolox-nano']!].sort((a, b) => b.score - a.score)[0]!;
  assert.ok(reference.score > 0.5);
  for (const name of ['nanodet-m-416', 'centernet-coco']) {
    const best = Math.max(...cars[name]!.map((c) => boxIou(c.box, reference.box)));
    assert.ok(best >= 0.7, `${name}: best IoU ${best.toFixed(2)} with YOLOX's car at ${reference.box.map((v) => v.toFixed(2)).join(',')}`);
  }
});
