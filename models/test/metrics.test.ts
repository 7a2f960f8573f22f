import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision, evaluateClassification, evaluateDetections, evaluateSegmentation, type Box } from '../src/eval/metrics.js';
import { parseYoloLabels } from '../src/eval/datasets.js';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('AP: perfect ranking gives 1, a false positive ranked first costs precision on the whole curve', () => {
  close(averagePrecision([{ score: 0.9, tp: true }, { score: 0.8, tp: true }], 2), 1);
  // FP, TP, TP with 2 truths: precision envelope 2/3 over recall 0..1 -> AP = 2/3.
  close(averagePrecision([{ score: 0.9, tp: false }, { score: 0.8, tp: true }, { score: 0.7, tp: true }], 2), 2 / 3);
  // TP, FP, TP: recall 0.5 at precision 1, then recall 1 at precision 2/3 -> 0.5 * 1 + 0.5 * 2/3.
  close(averagePrecision([{ score: 0.9, tp: true }, { score: 0.8, tp: false }, { score: 0.7, tp: true }], 2), 0.5 + 1 / 3);
  // A truth never found caps recall at 0.5.
  close(averagePrecision([{ score: 0.9, tp: true }], 2), 0.5);
});

test('detection report: IoU 0.5 matching, duplicates are false positives, P/R/F1 at the threshold', () => {
  const A: Box = [0, 0, 10, 10];
  const B: Box = [20, 20, 30, 30];
  const images = [
    {
      truths: [{ classIndex: 0, box: A }, { classIndex: 1, box: B }],
      predictions: [
        { classIndex: 0, box: [0, 0, 10, 9] as Box, score: 0.9 }, // TP (IoU 0.9)
        { classIndex: 0, box: [0, 0, 10, 10] as Box, score: 0.8 }, // duplicate -> FP
        { classIndex: 1, box: [25, 25, 35, 35] as Box, score: 0.7 }, // IoU 25/175 -> FP
        { classIndex: 1, box: [20, 20, 30, 30] as Box, score: 0.2 }, // TP below the threshold
      ],
    },
  ];
  const r = evaluateDetections(images, 0.5);
  close(r.apPerClass[0]!, 1);
  // class 1: FP (0.7) then TP (0.2): AP = 1 * 0.5 (precision at recall 1 is 1/2).
  close(r.apPerClass[1]!, 0.5);
  close(r.mAP50, 0.75);
  assert.deepEqual({ tp: r.atThreshold.tp, fp: r.atThreshold.fp, fn: r.atThreshold.fn }, { tp: 1, fp: 2, fn: 1 });
  close(r.atThreshold.precision, 1 / 3);
  close(r.atThreshold.recall, 1 / 2);
  close(r.atThreshold.f1, 0.4);
});

test('classification report: per-class P/R/F1 and confusion matrix', () => {
  const pairs = [
    { truth: 0, predicted: 0 }, { truth: 0, predicted: 0 }, { truth: 0, predicted: 1 },
    { truth: 1, predicted: 1 }, { truth: 1, predicted: 0 },
    { truth: 2, predicted: 2 },
  ];
  const r = evaluateClassification(pairs, ['fire', 'smoke', 'none']);
  assert.deepEqual(r.confusion, [[2, 1, 0], [1, 1, 0], [0, 0, 1]]);
  close(r.accuracy, 4 / 6);
  close(r.perClass['fire']!.precision, 2 / 3);
  close(r.perClass['fire']!.recall, 2 / 3);
  close(r.perClass['smoke']!.precision, 1 / 2);
  close(r.perClass['smoke']!.recall, 1 / 2);
  close(r.perClass['none']!.f1, 1);
});

test('segmentation report: pooled IoU and F1, per-image mean, empty-vs-empty counts as perfect', () => {
  const r = evaluateSegmentation([
    { truth: Uint8Array.from([1, 1, 0, 0]), predicted: Uint8Array.from([1, 0, 1, 0]) }, // I=1, U=3
    { truth: Uint8Array.from([0, 0, 0, 0]), predicted: Uint8Array.from([0, 0, 0, 0]) }, // empty
  ]);
  close(r.iou, 1 / 3);
  close(r.f1, 2 / 4);
  close(r.meanImageIou, (1 / 3 + 1) / 2);
  assert.throws(() => evaluateSegmentation([{ truth: new Uint8Array(2), predicted: new Uint8Array(3) }]), /differ in size/);
});

test('YOLO labels: centre boxes become corners; a bad line names file and line', () => {
  assert.equal(parseYoloLabels('2 0.5 0.5 0.2 0.4\n\n', 'a.txt').length, 1);
  const [t] = parseYoloLabels('2 0.5 0.5 0.2 0.4', 'a.txt');
  t!.box.forEach((v, i) => close(v, [0.4, 0.3, 0.6, 0.7][i]!, 1e-12));
  assert.throws(() => parseYoloLabels('0 0.5 0.5\n', 'labels/x.txt'), /labels\/x.txt:1/);
});
