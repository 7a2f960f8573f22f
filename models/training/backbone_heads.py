"""Comparison run: fire/smoke and water heads on frozen features of the npm-shipped MB3-CenterNet
backbone (COCO-pretrained MobileNetV3, cut at stride 16), against the from-scratch models.

    npx tsx models/training/centernet-features.ts /tmp/vigil-training   # features, once
    /usr/bin/python3 models/training/backbone_heads.py                   # heads, same splits and metrics

The features are computed once per image without augmentation (computing them for augmented copies
costs a backbone pass per sample); only a horizontal flip of the feature map is used. Results go to
models/fire-smoke/backbone-comparison.json (key stride16_256px_no_augmentation) and
models/water-lite/backbone-comparison.json; nothing is exported. The shipped `water` model is a later,
stronger head (water_head.py).
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
import water
from common import REPO, Stopwatch, data_dir, seed_everything, split_groups, write_json
from detection_metrics import evaluate as score_detections
from nets import ContextGate, SepConv, conv_bn


class FireHead(nn.Module):
    def __init__(self, c: int = 112) -> None:
        super().__init__()
        self.body = nn.Sequential(conv_bn(c, 96, 1), SepConv(96, 96), SepConv(96, 96, dilation=2), ContextGate(96))
        self.heat = nn.Conv2d(96, 2, 1)
        self.box = nn.Sequential(SepConv(96, 64), nn.Conv2d(64, 4, 1))

    def forward(self, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(F.dropout2d(f, 0.1, self.training))
        return self.heat(h), self.box(h) * 32.0


class WaterHead(nn.Module):
    def __init__(self, c: int = 112, size: int = 256) -> None:
        super().__init__()
        self.size = size
        self.body = nn.Sequential(conv_bn(c, 64, 1), SepConv(64, 64), SepConv(64, 64, dilation=2), ContextGate(64), nn.Conv2d(64, 1, 1))

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        return F.interpolate(self.body(F.dropout2d(f, 0.1, self.training)), size=(self.size, self.size), mode='bilinear', align_corners=False)


def load_features(feature_dir: Path, name: str) -> tuple[dict[str, int], torch.Tensor, int]:
    meta = json.loads((feature_dir / f'{name}.json').read_text())
    data = np.fromfile(feature_dir / f'{name}.f32', dtype=np.float32).reshape(meta['shape'])
    return {f: i for i, f in enumerate(meta['files'])}, torch.from_numpy(data), meta['size']


def train_loop(model: nn.Module, feats: torch.Tensor, epochs: int, batch: int, g: torch.Generator, step_loss) -> None:
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    steps = max(1, len(feats) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=epochs * steps)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(feats), generator=g)
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            flip = bool(torch.rand(1, generator=g) < 0.5)
            loss = step_loss(idx, flip)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()


def fire(args: argparse.Namespace, g: torch.Generator) -> dict:
    index, feats, size = load_features(args.features, 'fire-smoke')
    items = fire_smoke.list_items(data_dir() / 'fire-smoke' / 'cctv-fire8')
    fire_smoke.make_splits(items, 8)
    split = {s: [it for it in items if it['split'] == s] for s in ['train', 'val', 'test']}
    x = {s: feats[[index[it['file']] for it in v]] for s, v in split.items()}
    labs = {s: fire_smoke.raster([it['boxes'] for it in v], size) for s, v in split.items()}
    model = FireHead(feats.shape[1])
    # Features are fixed, so the targets are too: build them once (and once for the mirrored frames).
    targets = {flip: fire_smoke.grid_targets(labs['train'].flip(-1) if flip else labs['train']) for flip in (False, True)}

    def step_loss(idx: torch.Tensor, flip: bool) -> torch.Tensor:
        f = x['train'][idx].flip(-1) if flip else x['train'][idx]
        return fire_smoke.loss_from_targets(model(f), {k: v[idx] for k, v in targets[flip].items()})

    clock = Stopwatch()
    train_loop(model, x['train'], args.epochs, 32, g, step_loss)
    model.eval()
    with torch.no_grad():
        out = {s: model(v) for s, v in x.items()}
    res = {s: (torch.sigmoid(h).numpy(), b.numpy()) for s, (h, b) in out.items()}
    candidates = [0.3, 0.4, 0.5, 0.6, 0.7]
    val_f1 = {t: score_detections(*res['val'], split['val'], t, 16, size)['frame_any']['f1'] for t in candidates}
    thr = max(candidates, key=lambda t: (val_f1[t], -abs(t - 0.5)))
    return {'backbone': 'MB3-CenterNet (@vladmandic/human) expanded_conv_11, frozen', 'input': size, 'epochs': args.epochs,
            'minutes': round(clock.minutes(), 1), 'threshold': thr,
            'val': score_detections(*res['val'], split['val'], thr, 16, size),
            'test': score_detections(*res['test'], split['test'], thr, 16, size)}


def flood(args: argparse.Namespace, g: torch.Generator) -> dict:
    index, feats, size = load_features(args.features, 'water')
    root = data_dir() / 'flood' / 'water-seg'
    items = water.list_items(root)
    assign = split_groups([it['file'] for it in items], 1, (0.15, 0.15))
    split = {s: [it for it in items if assign[it['file']] == s] for s in ['train', 'val', 'test']}
    x = {s: feats[[index[it['file']] for it in v]] for s, v in split.items()}
    masks = torch.stack([water.load_mask(root / it['mask'], size) for it in split['train']])[:, None]
    model = WaterHead(feats.shape[1], size)

    def step_loss(idx: torch.Tensor, flip: bool) -> torch.Tensor:
        f, m = x['train'][idx], masks[idx]
        if flip:
            f, m = f.flip(-1), m.flip(-1)
        return water.loss_fn(model(f), m, torch.ones_like(m))

    clock = Stopwatch()
    train_loop(model, x['train'], args.epochs, 16, g, step_loss)
    model.eval()
    with torch.no_grad():
        probs = {s: torch.sigmoid(model(v))[:, 0] for s, v in x.items()}
    return {'backbone': 'MB3-CenterNet (@vladmandic/human) expanded_conv_11, frozen', 'input': size, 'epochs': args.epochs,
            'minutes': round(clock.minutes(), 1),
            'val': water.evaluate(probs['val'], split['val'], root, 0.5),
            'test': water.evaluate(probs['test'], split['test'], root, 0.5)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--features', type=Path, default=Path('/tmp/vigil-training'))
    ap.add_argument('--epochs', type=int, default=60)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--only', choices=['fire-smoke', 'water'])
    args = ap.parse_args()
    g = seed_everything(args.seed, args.threads)
    if args.only != 'water':
        r = fire(args, g)
        path = REPO / 'models' / 'fire-smoke' / 'backbone-comparison.json'
        runs = json.loads(path.read_text()) if path.exists() else {}
        write_json(path, runs | {'stride16_256px_no_augmentation': r})
        print(json.dumps({'fire-smoke': {'test_frame_any': r['test']['frame_any'], 'test_mAP50': r['test']['mAP50']}}), flush=True)
    if args.only != 'fire-smoke':
        r = flood(args, g)
        write_json(REPO / 'models' / 'water-lite' / 'backbone-comparison.json', r)
        print(json.dumps({'water': {'test_iou': r['test']['iou'], 'val_iou': r['val']['iou']}}), flush=True)


if __name__ == '__main__':
    main()
