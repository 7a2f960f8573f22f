"""A fire/smoke head on the frozen centernet-coco backbone, compared with the shipped from-scratch
fire-smoke model (fire_smoke.py). Not shipped: see models/fire-smoke/MODEL_CARD.md for the comparison.

    /usr/bin/python3 models/training/fire_head.py                       # frames, features, train, eval, export
    /usr/bin/python3 models/training/fire_head.py --reuse --eval-only   # re-score and re-export the checkpoint

Same data, source-video splits (split seed 8) and metric code as fire_smoke.py; the head gives the same
output pair (`heatmap` [N,2,32,32] sigmoid, `sizes` [N,4,32,32] box extents in input pixels) on a 512x512
frame at stride 16, so the runtime's CenterNet decoder reads it. Augmentation is on the images (each
training frame written K times, the first clean), as in water_head.py. Results go to --out
(metrics.json, parity.json, splits.json, fire-smoke-head.onnx); with a model.json there, its sha256 and
score threshold are stamped as for the other models.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import fire_smoke
from backbone_data import (FEATURES, INPUT, batch_of, export_head, frame_bytes, frames_and_features, parity_features,
                           stamp_head_manifest, train_head)
from camera_aug import geometric, photometric
from common import Stopwatch, data_dir, load_rgb, previous_training, seed_everything, write_json
from detection_metrics import evaluate as score
from nets import ContextGate, SepConv, conv_bn

STRIDE = 16
GRID = INPUT // STRIDE
fire_smoke.SIZE = INPUT  # box-loss normalisation in fire_smoke.loss_from_targets


class FireHead(nn.Module):
    """Strides 8 and 32 folded into the stride-16 grid (max-pool / upsample), a whole-frame gate, then
    the fire_smoke.py output pair."""

    BOX_SCALE = 64.0

    def __init__(self, channels: dict[str, int], width: int = 96) -> None:
        super().__init__()
        self.lat = nn.ModuleDict({k: conv_bn(c, width, 1) for k, c in channels.items()})
        self.gate = ContextGate(width)
        self.body = nn.Sequential(SepConv(width, width), SepConv(width, width, dilation=2))
        self.heat = nn.Conv2d(width, 2, 1)
        self.box = nn.Sequential(SepConv(width, 64), nn.Conv2d(64, 4, 1))

    def forward(self, s8: torch.Tensor, s16: torch.Tensor, s32: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        drop = lambda f: F.dropout2d(f, 0.1, self.training)  # noqa: E731
        p32 = F.interpolate(self.gate(self.lat['s32'](drop(s32))), scale_factor=2.0, mode='bilinear', align_corners=False)
        f = self.body(self.lat['s16'](drop(s16)) + p32 + F.max_pool2d(self.lat['s8'](drop(s8)), 2))
        return self.heat(f), self.box(f) * self.BOX_SCALE


class FireHeadExport(nn.Module):
    def __init__(self, net: FireHead) -> None:
        super().__init__()
        self.net = net

    def forward(self, s8: torch.Tensor, s16: torch.Tensor, s32: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        heat, sizes = self.net(s8, s16, s32)
        return torch.sigmoid(heat), sizes


def write_frames(work: Path, by_split: dict[str, list[dict]], root: Path, copies: int, g: torch.Generator) -> dict:
    counts = {}
    for split, items in by_split.items():
        n_copies = copies if split == 'train' else 1
        targets = []
        with open(work / f'{split}.u8', 'wb') as frames:
            for it in items:
                img = load_rgb(root / it['file'], INPUT)[None].float() / 255
                lab = fire_smoke.raster([it['boxes']], INPUT)
                for k in range(n_copies):
                    x, y = img, lab
                    if k > 0:
                        x, y = geometric(x, lab, g)
                        x = photometric(x, g)
                    frames.write(frame_bytes(x[0]))
                    if split == 'train':
                        targets.append(fire_smoke.grid_targets(y))
        counts[split] = len(items) * n_copies
        if split == 'train':
            torch.save({k: torch.cat([t[k] for t in targets]) for k in targets[0]}, work / 'train-targets.pt')
    return counts


@torch.no_grad()
def predict(model: nn.Module, feats: dict[str, np.ndarray], batch: int = 32) -> tuple[np.ndarray, np.ndarray]:
    model.eval()
    heat, sizes = [], []
    for i in range(0, len(feats['s16']), batch):
        h, s = model(**batch_of(feats, slice(i, i + batch)))
        heat.append(torch.sigmoid(h))
        sizes.append(s)
    return torch.cat(heat).numpy(), torch.cat(sizes).numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--copies', type=int, default=4)
    ap.add_argument('--epochs', type=int, default=16)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--split-seed', type=int, default=8)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--work', type=Path, default=Path('/tmp/vigil-training/fire-head'))
    ap.add_argument('--out', type=Path, default=Path('/tmp/vigil-training/fire-head-out'))
    ap.add_argument('--reuse', action='store_true', help='reuse frames and features already in --work')
    ap.add_argument('--eval-only', action='store_true', help='score and export the checkpoint in --work without training')
    args = ap.parse_args()

    g = seed_everything(args.seed, args.threads)
    clock = Stopwatch()
    root = data_dir() / 'fire-smoke' / 'cctv-fire8'
    items = fire_smoke.list_items(root)
    fire_smoke.make_splits(items, args.split_seed)
    by_split = {s: [it for it in items if it['split'] == s] for s in ['train', 'val', 'test']}
    if args.limit:
        by_split = {s: v[:args.limit] for s, v in by_split.items()}
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    feats = frames_and_features(args.work, list(by_split), lambda: write_frames(args.work, by_split, root, args.copies, g),
                                args.reuse, args.threads, clock)
    feature_minutes = clock.minutes()
    targets = torch.load(args.work / 'train-targets.pt')
    candidates = [0.3, 0.4, 0.5, 0.6, 0.7]

    model = FireHead({k: v.shape[1] for k, v in feats['train'].items()})

    def step_loss(idx: np.ndarray) -> torch.Tensor:
        return fire_smoke.loss_from_targets(model(**batch_of(feats['train'], idx)), {k: v[idx] for k, v in targets.items()})

    def val_f1() -> float:
        heat, sizes = predict(model, feats['val'])
        return max(score(heat, sizes, by_split['val'], t, STRIDE, INPUT)['frame_any']['f1'] for t in candidates)

    best, log = train_head(model, len(feats['train']['s16']), step_loss, val_f1, metric='val_frame_f1',
                           epochs=0 if args.eval_only else args.epochs, batch=args.batch, lr=args.lr, g=g,
                           checkpoint=args.work / 'fire-head.pt', clock=clock)
    val_heat, val_sizes = predict(model, feats['val'])
    val_f1s = {t: score(val_heat, val_sizes, by_split['val'], t, STRIDE, INPUT)['frame_any']['f1'] for t in candidates}
    threshold = max(candidates, key=lambda t: (val_f1s[t], -abs(t - 0.5)))
    test_heat, test_sizes = predict(model, feats['test'])
    metrics = {
        'threshold': threshold, 'best_epoch': best[1], 'epochs': args.epochs, 'copies': args.copies, 'train_log': log,
        'val': score(val_heat, val_sizes, by_split['val'], threshold, STRIDE, INPUT),
        'test': score(test_heat, test_sizes, by_split['test'], threshold, STRIDE, INPUT),
        'minutes': {'frames_and_features': round(feature_minutes, 1), 'total': round(clock.minutes(), 1)},
        'backbone': {'model': 'centernet-coco', 'features': FEATURES, 'frozen': True},
    }
    if args.eval_only:
        metrics |= previous_training(args.out / 'metrics.json')
    write_json(args.out / 'splits.json', {
        'rule': 'by source video, stratified (split seed %d), as fire_smoke.py' % args.split_seed,
        'files': {s: [it['file'] for it in v] for s, v in by_split.items()},
        'sources': {s: sorted({it['source'] for it in v}) for s, v in by_split.items()},
    })
    export = FireHeadExport(model).eval()
    onnx_path = args.out / 'fire-smoke-head.onnx'
    shapes = export_head(export, feats['test'], onnx_path, ['heatmap', 'sizes'])
    with torch.no_grad():
        heat, sizes = export(**parity_features(shapes))
    # A real test frame end to end: the best score per class, for the runtime test to compare.
    first = torch.from_numpy(test_heat[0]).flatten(1).amax(1)
    write_json(args.out / 'parity.json', {'features': {k: {'shape': list(shapes[k])} for k in shapes},
                                          'heatmap_every_97th': [round(v, 5) for v in heat.flatten()[::97].tolist()],
                                          'sizes_every_97th': [round(v, 3) for v in sizes.flatten()[::97].tolist()],
                                          'image': {'file': 'fire-smoke/cctv-fire8/' + by_split['test'][0]['file'],
                                                    'max_score': [round(float(v), 4) for v in first]}})
    stamp_head_manifest(args.out, onnx_path, threshold)
    write_json(args.out / 'metrics.json', metrics)
    print(json.dumps({'val_frame_f1': metrics['val']['frame_any']['f1'], 'val_mAP50': metrics['val']['mAP50'],
                      'test_frame_f1': metrics['test']['frame_any']['f1'], 'test_mAP50': metrics['test']['mAP50']}), flush=True)


if __name__ == '__main__':
    main()
