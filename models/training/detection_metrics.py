"""Decoding and scoring for the fire/smoke model, mirroring the TypeScript runtime so the numbers
here are the numbers the edge gets: CenterNet-style peaks (models/src/decoders/centernet.ts), then
class-wise NMS, then mAP@0.5 and P/R/F1 at the default threshold, plus frame-level metrics."""
from __future__ import annotations

import numpy as np

CLASSES = ['fire', 'smoke']


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def decode(heat: np.ndarray, sizes: np.ndarray, stride: int, size: int, min_score: float,
           top_k: int = 20, nms_iou: float = 0.5) -> list[dict]:
    """heat [C,H,W] probabilities, sizes [4,H,W] (l,t,r,b input pixels from (x*stride, y*stride)).
    A cell is a peak when no 3x3 neighbour is higher. Boxes come back normalised to 0..1."""
    c_n, h, w = heat.shape
    peaks = []
    for c in range(c_n):
        padded = np.pad(heat[c], 1, constant_values=-1)
        neigh = np.max(np.stack([padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)]), 0)
        ys, xs = np.nonzero((heat[c] >= min_score) & (heat[c] >= neigh))
        peaks += [(float(heat[c, y, x]), c, y, x) for y, x in zip(ys, xs)]
    peaks.sort(key=lambda p: -p[0])
    cands = []
    for score, c, y, x in peaks[:top_k]:
        l, t, r, b = sizes[:, y, x]
        box = [(x * stride - l) / size, (y * stride - t) / size, (x * stride + r) / size, (y * stride + b) / size]
        cands.append({'cls': c, 'score': score, 'box': [min(max(v, 0.0), 1.0) for v in box]})
    kept: list[dict] = []
    for cand in cands:
        if all(k['cls'] != cand['cls'] or iou(k['box'], cand['box']) <= nms_iou for k in kept):
            kept.append(cand)
    return kept


def prf(tp: int, fp: int, fn: int) -> dict:
    tp, fp, fn = int(tp), int(fp), int(fn)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {'precision': round(p, 4), 'recall': round(r, 4), 'f1': round(2 * p * r / (p + r) if p + r else 0.0, 4),
            'tp': tp, 'fp': fp, 'fn': fn}


def _match(preds: list[dict], truths: list[list[float]]) -> list[bool]:
    """Greedy by score: a prediction is a hit when it overlaps an unclaimed truth at IoU >= 0.5."""
    used: set[int] = set()
    hits = []
    for p in sorted(preds, key=lambda d: -d['score']):
        best, best_iou = -1, 0.5
        for j, t in enumerate(truths):
            v = iou(p['box'], t)
            if j not in used and v >= best_iou:
                best, best_iou = j, v
        if best >= 0:
            used.add(best)
        hits.append(best >= 0)
    return hits


def average_precision(scored: list[tuple[float, bool]], n_truth: int) -> float:
    """All-point interpolated AP (VOC 2010+)."""
    if n_truth == 0:
        return 0.0
    scored = sorted(scored, key=lambda s: -s[0])
    tp = np.cumsum([1 if h else 0 for _, h in scored])
    fp = np.cumsum([0 if h else 1 for _, h in scored])
    recall = tp / n_truth if len(scored) else np.array([])
    precision = tp / np.maximum(tp + fp, 1) if len(scored) else np.array([])
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[1.0], precision, [0.0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def evaluate(heat: np.ndarray, sizes: np.ndarray, items: list[dict], threshold: float, stride: int, size: int) -> dict:
    """items[i]['boxes'] = [[cls, x1, y1, x2, y2], ...] normalised. Frame level: a frame is positive
    when any cell of a class reaches the threshold (every such region has a peak, so a detection)."""
    frame_any = [0, 0, 0]
    frame_cls = [[0, 0, 0] for _ in CLASSES]
    box_cls = [[0, 0, 0] for _ in CLASSES]
    ap_scored: list[list[tuple[float, bool]]] = [[] for _ in CLASSES]
    n_truth = [0 for _ in CLASSES]
    failures = []
    for i, it in enumerate(items):
        dets = decode(heat[i], sizes[i], stride, size, min(0.05, threshold))
        pred_cls = [bool((heat[i, c] >= threshold).any()) for c in range(len(CLASSES))]
        truth_cls = [any(b[0] == c for b in it['boxes']) for c in range(len(CLASSES))]
        pa, ta = any(pred_cls), any(truth_cls)
        frame_any[0] += pa and ta
        frame_any[1] += pa and not ta
        frame_any[2] += ta and not pa
        if pa != ta:
            failures.append({'file': it['file'], 'truth': ta, 'max_score': round(float(heat[i].max()), 3)})
        for c in range(len(CLASSES)):
            frame_cls[c][0] += pred_cls[c] and truth_cls[c]
            frame_cls[c][1] += pred_cls[c] and not truth_cls[c]
            frame_cls[c][2] += truth_cls[c] and not pred_cls[c]
            truths = [b[1:] for b in it['boxes'] if b[0] == c]
            n_truth[c] += len(truths)
            all_c = [d for d in dets if d['cls'] == c]
            ap_scored[c] += list(zip([d['score'] for d in sorted(all_c, key=lambda d: -d['score'])], _match(all_c, truths)))
            at_thr = [d for d in all_c if d['score'] >= threshold]
            hits = _match(at_thr, truths)
            box_cls[c][0] += sum(hits)
            box_cls[c][1] += len(hits) - sum(hits)
            box_cls[c][2] += len(truths) - sum(hits)
    aps = {CLASSES[c]: round(average_precision(ap_scored[c], n_truth[c]), 4) for c in range(len(CLASSES))}
    total = [sum(x[k] for x in box_cls) for k in range(3)]
    return {
        'threshold': threshold, 'images': len(items),
        'frame_any': prf(*frame_any),
        'frame_per_class': {CLASSES[c]: prf(*frame_cls[c]) for c in range(len(CLASSES))},
        'boxes_per_class': {CLASSES[c]: prf(*box_cls[c]) for c in range(len(CLASSES))},
        'boxes_all': prf(*total),
        'ap50_per_class': aps,
        'mAP50': round(float(np.mean(list(aps.values()))), 4),
        'frame_failures': failures,
    }
