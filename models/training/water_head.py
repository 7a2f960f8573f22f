"""Train Vigil's water head on the frozen backbone of the npm-shipped MB3-CenterNet (COCO-pretrained).

    /usr/bin/python3 models/training/water_head.py             # full run: data, features, train, eval, export
    /usr/bin/python3 models/training/water_head.py --reuse     # reuse the features of the last run
    /usr/bin/python3 models/training/water_head.py --reuse --eval-only  # re-score and re-export the checkpoint

The edge already runs MB3-CenterNet (models/centernet-coco, 512x512, converted from @vladmandic/human
at first use). Its MobileNetV3 features at strides 8, 16 and 32 carry ImageNet/COCO-pretrained scene
understanding; a small FPN-style head on them segments water far better than a net trained from scratch
on 144 photos. The backbone's weights are not ours to ship, so they stay frozen and are never exported:
the shipped file holds only the head (inputs s8, s16, s32; output `logits` [N,1,128,128]), and the
runtime chains it behind the generated backbone (model.json "backbone").

A frozen backbone cannot see augmentation applied to its features, so augmentation happens on the
images: each training photo is written K times at 512x512 (the first copy clean, the others through
models/training/camera_aug.py: warp, night/IR, rain, haze, glare, JPEG...), and
models/training/backbone-features.ts runs the very ONNX file the runtime generates over all of them.

Data: $VIGIL_DATA_DIR/flood/water-seg. Splits: the same seeded image-level split as water.py (split
seed 1), so the test split stays untouched and the two models are compared on the same photos.

Dry negatives: every flood photo has water in it, and the first head learned "grey road = water" (half of
a dry Hanoi street marked as water). So training also sees dry streets with an empty mask: street and
parking-camera photos from traffic/helmet and frames of traffic/videos/intel-car-detection.mp4 (both
CC BY 4.0). The Hanoi intersection clip (test use only) is never trained on: it is the held-out dry check
(mean water coverage over 13 frames, reported in metrics.json as `dry_check`).
"""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from backbone_data import (FEATURES, INPUT, batch_of, export_head, frame_bytes, frames_and_features, parity_features,
                           stamp_head_manifest, train_head)
from camera_aug import geometric, photometric
from common import REPO, Stopwatch, data_dir, load_rgb, previous_training, seed_everything, split_groups, write_json
from nets import ContextGate, SepConv, conv_bn
from water import evaluate, list_items, load_mask, loss_fn

OUT = 128            # logits resolution (stride 4 of the input)


class WaterHead(nn.Module):
    """FPN-style: each stride reduced to `width` channels, the coarser one upsampled and added (with a
    whole-frame gate on stride 32), two separable blocks at stride 8 (dilations 1, 2), one logit per
    cell, bilinear x2 inside the graph."""

    def __init__(self, channels: dict[str, int], width: int = 96) -> None:
        super().__init__()
        self.lat = nn.ModuleDict({k: conv_bn(c, width, 1) for k, c in channels.items()})
        self.gate = ContextGate(width)
        self.mix16 = SepConv(width, width)
        self.mix8 = nn.Sequential(SepConv(width, width), SepConv(width, width, dilation=2), nn.Conv2d(width, 1, 1))

    def forward(self, s8: torch.Tensor, s16: torch.Tensor, s32: torch.Tensor) -> torch.Tensor:
        drop = lambda f: F.dropout2d(f, 0.1, self.training)  # noqa: E731
        up = lambda f: F.interpolate(f, scale_factor=2.0, mode='bilinear', align_corners=False)  # noqa: E731
        p32 = self.gate(self.lat['s32'](drop(s32)))
        p16 = self.mix16(self.lat['s16'](drop(s16)) + up(p32))
        y = self.mix8(self.lat['s8'](drop(s8)) + up(p16))
        return F.interpolate(y, size=(OUT, OUT), mode='bilinear', align_corners=False)


def video_frames(video: Path, fps: float, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(['ffmpeg', '-v', 'error', '-y', '-i', str(video), '-vf', f'fps={fps}', str(dest / 'f%03d.png')], check=True)
    return sorted(dest.glob('f*.png'))


def dry_negatives(work: Path, count: int) -> list[dict]:
    """Dry street scenes with an empty water mask (absolute paths; CC BY 4.0 sources only)."""
    helmet = sorted((data_dir() / 'traffic' / 'helmet').glob('*/images/*.jpg'))
    streets = [p for p in helmet if 'xemay' not in p.name]
    parking = [p for p in helmet if 'xemay' in p.name]
    intel = video_frames(data_dir() / 'traffic' / 'videos' / 'intel-car-detection.mp4', 1, work / 'intel')[:max(1, count // 9)]
    n_park = count // 4
    n_street = count - n_park - len(intel)
    pick = lambda xs, n: xs[::max(1, len(xs) // max(1, n))][:n]  # noqa: E731
    return [{'file': str(p), 'mask': None} for p in pick(streets, n_street) + pick(parking, n_park) + intel]


def write_frames(work: Path, by_split: dict[str, list[dict]], root: Path, copies: int, g: torch.Generator, negative_copies: int = 2) -> dict:
    """Writes <split>.u8 (frames for the backbone) and, for train, the warped masks at OUT resolution.
    Items with mask None are dry scenes (empty mask)."""
    counts = {}
    for split, items in by_split.items():
        frames = open(work / f'{split}.u8', 'wb')
        targets = []
        for it in items:
            n_copies = 1 if split != 'train' else copies if it['mask'] else negative_copies
            img = load_rgb(root / it['file'], INPUT)[None].float() / 255
            mask = load_mask(root / it['mask'], INPUT)[None, None] if it['mask'] else torch.zeros(1, 1, INPUT, INPUT)
            for k in range(n_copies):
                x, lab = img, torch.cat([mask, torch.ones_like(mask)], 1)
                if k > 0:  # copy 0 is the clean frame
                    x, lab = geometric(x, lab, g)
                    x = photometric(x, g)
                frames.write(frame_bytes(x[0]))
                if split == 'train':
                    targets.append(F.adaptive_avg_pool2d(lab, OUT)[0])
        frames.close()
        counts[split] = len(targets) if split == 'train' else len(items)
        if split == 'train':
            torch.save(torch.stack(targets), work / 'train-targets.pt')
    return counts


@torch.no_grad()
def predict(model: nn.Module, feats: dict[str, np.ndarray], batch: int = 16) -> torch.Tensor:
    model.eval()
    n = len(feats['s8'])
    out = [torch.sigmoid(model(**batch_of(feats, slice(i, i + batch)))) for i in range(0, n, batch)]
    return torch.cat(out)[:, 0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--copies', type=int, default=6, help='frames per training photo (1 clean + augmented)')
    ap.add_argument('--negatives', type=int, default=270, help='dry street scenes with an empty mask')
    ap.add_argument('--negative-copies', type=int, default=2)
    ap.add_argument('--epochs', type=int, default=18)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--split-seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--limit', type=int, default=0, help='use only N photos per split (smoke test)')
    ap.add_argument('--work', type=Path, default=Path('/tmp/vigil-training/water-head'))
    ap.add_argument('--out', type=Path, default=REPO / 'models' / 'water')
    ap.add_argument('--reuse', action='store_true', help='reuse frames and features already in --work')
    ap.add_argument('--eval-only', action='store_true', help='score and export the checkpoint in --work without training')
    args = ap.parse_args()

    g = seed_everything(args.seed, args.threads)
    clock = Stopwatch()
    root = data_dir() / 'flood' / 'water-seg'
    items = list_items(root)
    assign = split_groups([it['file'] for it in items], args.split_seed, (0.15, 0.15))
    by_split = {s: [it for it in items if assign[it['file']] == s] for s in ['train', 'val', 'test']}
    if args.limit:
        by_split = {s: v[:args.limit] for s, v in by_split.items()}
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / 'splits.json', {
        'rule': 'image-level, seeded (split seed %d); every photo is a separate source' % args.split_seed,
        'files': {s: [it['file'] for it in v] for s, v in by_split.items()},
    })
    negatives = dry_negatives(args.work, min(args.negatives, args.limit * 2) if args.limit else args.negatives) if args.negatives else []
    hanoi = data_dir() / 'traffic' / 'videos' / 'hanoi-ly-thuong-kiet-hang-bai.mp4'
    dry_check = [{'file': str(p), 'mask': None} for p in video_frames(hanoi, 0.2, args.work / 'hanoi')] if hanoi.exists() else []
    splits = {'train': by_split['train'] + negatives, 'val': by_split['val'], 'test': by_split['test']} | ({'dry': dry_check} if dry_check else {})

    feats = frames_and_features(args.work, list(splits), lambda: write_frames(args.work, splits, root, args.copies, g, args.negative_copies),
                                args.reuse, args.threads, clock)
    feature_minutes = clock.minutes()
    targets = torch.load(args.work / 'train-targets.pt')
    assert len(targets) == len(feats['train']['s8']), 'features and targets disagree: rerun without --reuse'

    model = WaterHead({k: v.shape[1] for k, v in feats['train'].items()})

    def step_loss(idx: np.ndarray) -> torch.Tensor:
        lab = targets[idx]
        return loss_fn(model(**batch_of(feats['train'], idx)), lab[:, :1], (lab[:, 1:] > 0.99).float())

    best, log = train_head(model, len(targets), step_loss, lambda: evaluate(predict(model, feats['val']), by_split['val'], root, 0.5)['iou'],
                           metric='val_iou', epochs=0 if args.eval_only else args.epochs, batch=args.batch, lr=args.lr, g=g,
                           checkpoint=args.work / 'water-head.pt', clock=clock)

    # The mask threshold is chosen on validation, like the checkpoint: dry negatives make the head
    # cautious, so its best cut is below 0.5.
    val_probs = predict(model, feats['val'])
    candidates = [0.3, 0.35, 0.4, 0.45, 0.5]
    val_by_threshold = {t: evaluate(val_probs, by_split['val'], root, t)['iou'] for t in candidates}
    threshold = max(candidates, key=lambda t: (val_by_threshold[t], t))
    metrics = {
        'threshold': threshold, 'val_iou_by_threshold': {str(k): v for k, v in val_by_threshold.items()},
        'val': evaluate(val_probs, by_split['val'], root, threshold),
        'test': evaluate(predict(model, feats['test']), by_split['test'], root, threshold),
        'train_log': log, 'best_epoch': best[1], 'epochs': args.epochs, 'copies': args.copies, 'seed': args.seed,
        'threads': args.threads, 'limit': args.limit,
        'minutes': {'frames_and_features': round(feature_minutes, 1), 'total': round(clock.minutes(), 1)},
        'backbone': {'model': 'centernet-coco', 'features': FEATURES, 'frozen': True},
        'negatives': {'count': len(negatives), 'copies': args.negative_copies,
                      'sources': 'traffic/helmet (street and parking-camera photos), traffic/videos/intel-car-detection.mp4 at 1 fps'},
    }
    if 'dry' in feats:
        cover = [float((p >= threshold).float().mean()) for p in predict(model, feats['dry'])]
        metrics['dry_check'] = {'source': 'traffic/videos/hanoi-ly-thuong-kiet-hang-bai.mp4, one frame per 5 s, never trained on',
                                'frames': len(cover), 'mean_water_coverage': round(float(np.mean(cover)), 4),
                                'max_water_coverage': round(max(cover), 4)}
    if args.eval_only:
        metrics |= previous_training(args.out / 'metrics.json')
    onnx_path = args.out / 'water-head.onnx'
    shapes = export_head(model, feats['test'], onnx_path, ['logits'])
    # Parity: deterministic feature maps the TypeScript test rebuilds, and a real test photo end to end.
    with torch.no_grad():
        logits = model(**parity_features(shapes)).flatten()
    coverage = float((predict(model, {k: v[:1] for k, v in feats['test'].items()})[0] >= threshold).float().mean())
    stamp_head_manifest(args.out, onnx_path, threshold)
    write_json(args.out / 'parity.json', {
        'features': {k: {'shape': list(shapes[k]), 'values': '((i * 37) % 101) / 50 - 1, i = 0.. in NCHW order'} for k in shapes},
        'logits_every_997th': [round(v, 4) for v in logits[::997].tolist()],
        'logits_mean': round(float(logits.mean()), 5),
        'image': {'file': 'flood/water-seg/' + by_split['test'][0]['file'], 'coverage': round(coverage, 4)},
    })
    write_json(args.out / 'metrics.json', metrics)
    print(json.dumps({'test_iou': metrics['test']['iou'], 'test_f1': metrics['test']['f1'], 'val_iou': metrics['val']['iou']}), flush=True)


if __name__ == '__main__':
    main()
