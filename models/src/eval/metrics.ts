/**
 * Our own metric code for `vigil models eval` (no third-party evaluator at run time). Boxes are
 * [x1, y1, x2, y2] in any consistent unit.
 */
export type Box = [number, number, number, number];

export interface GroundTruth { classIndex: number; box: Box }
export interface Prediction { classIndex: number; box: Box; score: number }

export function boxIou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

export interface PrecisionRecall { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number }

function prf(tp: number, fp: number, fn: number): PrecisionRecall {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, tp, fp, fn };
}

/**
 * Greedy matching per image and class, best score first: a prediction is a true positive when it
 * overlaps a not-yet-matched ground truth of its class with IoU >= iouThreshold (PASCAL VOC rule).
 * Returns every prediction flagged TP/FP, and the number of ground truths per class.
 */
export function matchDetections(images: { truths: GroundTruth[]; predictions: Prediction[] }[], iouThreshold = 0.5): { scored: { classIndex: number; score: number; tp: boolean }[]; truthsPerClass: Map<number, number> } {
  const scored: { classIndex: number; score: number; tp: boolean }[] = [];
  const truthsPerClass = new Map<number, number>();
  for (const { truths, predictions } of images) {
    for (const t of truths) truthsPerClass.set(t.classIndex, (truthsPerClass.get(t.classIndex) ?? 0) + 1);
    const used = new Array<boolean>(truths.length).fill(false);
    for (const p of [...predictions].sort((a, b) => b.score - a.score)) {
      let best = -1;
      let bestIou = iouThreshold;
      truths.forEach((t, i) => {
        if (used[i] || t.classIndex !== p.classIndex) return;
        const v = boxIou(t.box, p.box);
        if (v >= bestIou) { bestIou = v; best = i; }
      });
      if (best >= 0) used[best] = true;
      scored.push({ classIndex: p.classIndex, score: p.score, tp: best >= 0 });
    }
  }
  return { scored, truthsPerClass };
}

/** Average precision with all-point interpolation (area under the monotone precision envelope). */
export function averagePrecision(scored: { score: number; tp: boolean }[], truths: number): number {
  if (truths === 0) return 0;
  const sorted = [...scored].sort((a, b) => b.score - a.score);
  const recalls: number[] = [0];
  const precisions: number[] = [1];
  let tp = 0;
  let fp = 0;
  for (const s of sorted) {
    if (s.tp) tp++; else fp++;
    recalls.push(tp / truths);
    precisions.push(tp / (tp + fp));
  }
  for (let i = precisions.length - 2; i >= 0; i--) precisions[i] = Math.max(precisions[i]!, precisions[i + 1]!);
  let ap = 0;
  for (let i = 1; i < recalls.length; i++) ap += (recalls[i]! - recalls[i - 1]!) * precisions[i]!;
  return ap;
}

export interface DetectionReport {
  /** Mean over classes that have ground truth of AP at IoU 0.5. */
  mAP50: number;
  apPerClass: Record<number, number>;
  /** Precision/recall/F1 over all classes, counting only predictions with score >= threshold. */
  atThreshold: PrecisionRecall & { threshold: number };
}

export function evaluateDetections(images: { truths: GroundTruth[]; predictions: Prediction[] }[], threshold: number, iouThreshold = 0.5): DetectionReport {
  const { scored, truthsPerClass } = matchDetections(images, iouThreshold);
  const apPerClass: Record<number, number> = {};
  for (const [c, n] of truthsPerClass) apPerClass[c] = averagePrecision(scored.filter((s) => s.classIndex === c), n);
  const aps = Object.values(apPerClass);
  const mAP50 = aps.length > 0 ? aps.reduce((a, b) => a + b, 0) / aps.length : 0;
  const { scored: atT } = matchDetections(images.map((im) => ({ truths: im.truths, predictions: im.predictions.filter((p) => p.score >= threshold) })), iouThreshold);
  const tp = atT.filter((s) => s.tp).length;
  const fp = atT.length - tp;
  const totalTruths = [...truthsPerClass.values()].reduce((a, b) => a + b, 0);
  return { mAP50, apPerClass, atThreshold: { ...prf(tp, fp, totalTruths - tp), threshold } };
}

export interface ClassificationReport {
  accuracy: number;
  perClass: Record<string, PrecisionRecall>;
  /** confusion[truth][predicted] = count, in label order. */
  confusion: number[][];
  labels: string[];
}

export function evaluateClassification(pairs: { truth: number; predicted: number }[], labels: string[]): ClassificationReport {
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const { truth, predicted } of pairs) confusion[truth]![predicted]!++;
  const perClass: Record<string, PrecisionRecall> = {};
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    correct += tp;
    const fn = confusion[c]!.reduce((a, b) => a + b, 0) - tp;
    const fp = confusion.reduce((a, row) => a + row[c]!, 0) - tp;
    perClass[labels[c]!] = prf(tp, fp, fn);
  }
  return { accuracy: pairs.length > 0 ? correct / pairs.length : 0, perClass, confusion, labels };
}

export interface SegmentationReport {
  /** Pixel IoU over the whole set (sum of intersections / sum of unions). */
  iou: number;
  /** Pixel F1 (Dice) over the whole set. */
  f1: number;
  /** Mean of per-image IoU (an image with empty truth and empty prediction counts as 1). */
  meanImageIou: number;
}

export function evaluateSegmentation(pairs: { truth: Uint8Array; predicted: Uint8Array }[]): SegmentationReport {
  let inter = 0;
  let union = 0;
  let truthOn = 0;
  let predOn = 0;
  let imageIouSum = 0;
  for (const { truth, predicted } of pairs) {
    if (truth.length !== predicted.length) throw new Error(`segmentation masks differ in size: ${truth.length} vs ${predicted.length} pixels`);
    let i = 0;
    let u = 0;
    for (let p = 0; p < truth.length; p++) {
      const t = truth[p]! > 0;
      const q = predicted[p]! > 0;
      if (t && q) i++;
      if (t || q) u++;
      if (t) truthOn++;
      if (q) predOn++;
    }
    inter += i;
    union += u;
    imageIouSum += u > 0 ? i / u : 1;
  }
  return {
    iou: union > 0 ? inter / union : 1,
    f1: truthOn + predOn > 0 ? (2 * inter) / (truthOn + predOn) : 1,
    meanImageIou: pairs.length > 0 ? imageIouSum / pairs.length : 0,
  };
}
