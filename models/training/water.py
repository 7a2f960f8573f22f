"""Train Vigil's from-scratch water segmenter (models/water-lite): a compact U-Net giving a per-pixel
water probability. The shipped `water` model is a head on the CenterNet backbone (water_head.py).

    /usr/bin/python3 models/training/water.py            # full run: splits, train, eval, export
    /usr/bin/python3 models/training/water.py --eval-only # re-evaluate the saved checkpoint

Data: $VIGIL_DATA_DIR/flood/water-seg (images/*.jpg, masks/*.png; water where mask >= 128).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from camera_aug import geometric, photometric
from common import (REPO, Stopwatch, data_dir, export_onnx, load_rgb, parity_input, previous_training, seed_everything,
                    split_groups, stamp_manifest, write_json)
from nets import WaterUNet

SIZE = 160


def load_mask(path: Path, size: int | None) -> torch.Tensor:
    im = Image.open(path).convert('L')
    if size:
        im = im.resize((size, size), Image.BILINEAR)
    return torch.from_numpy((np.asarray(im) >= 128).astype(np.float32))


def list_items(root: Path) -> list[dict]:
    items = []
    for img in sorted((root / 'images').iterdir(), key=lambda p: p.name):
        mask = root / 'masks' / (img.stem + '.png')
        if mask.exists():
            items.append({'file': f'images/{img.name}', 'mask': f'masks/{mask.name}'})
    return items


def loss_fn(logits: torch.Tensor, target: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """BCE + soft Dice, both only where the warped frame has real pixels."""
    bce = (F.binary_cross_entropy_with_logits(logits, target, reduction='none') * valid).sum() / valid.sum().clamp(min=1)
    p = torch.sigmoid(logits) * valid
    inter = (p * target).sum((1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((1, 2, 3)) + (target * valid).sum((1, 2, 3)) + 1)
    return bce + dice.mean()


@torch.no_grad()
def predict(model: torch.nn.Module, images: torch.Tensor, batch: int = 16) -> torch.Tensor:
    model.eval()
    out = [torch.sigmoid(model(images[i:i + batch].float() / 255)) for i in range(0, len(images), batch)]
    return torch.cat(out)[:, 0] if out else torch.zeros(0, SIZE, SIZE)


def evaluate(probs: torch.Tensor, items: list[dict], root: Path, threshold: float) -> dict:
    """IoU and F1 at each image's own mask resolution: pooled over all pixels of the split, and the
    mean of per-image IoU. Worst images are listed for the failure review."""
    inter_all = union_all = pred_all = truth_all = 0.0
    per_image = []
    for p, it in zip(probs, items):
        truth = load_mask(root / it['mask'], None)
        up = F.interpolate(p[None, None], size=truth.shape, mode='bilinear', align_corners=False)[0, 0]
        pred = up >= threshold
        t = truth > 0.5
        inter, union = float((pred & t).sum()), float((pred | t).sum())
        inter_all += inter
        union_all += union
        pred_all += float(pred.sum())
        truth_all += float(t.sum())
        per_image.append({'file': it['file'], 'iou': round(inter / union, 4) if union else 1.0,
                          'water_truth': round(float(t.float().mean()), 3), 'water_pred': round(float(pred.float().mean()), 3)})
    precision = inter_all / pred_all if pred_all else 0.0
    recall = inter_all / truth_all if truth_all else 0.0
    return {
        'threshold': threshold, 'images': len(items),
        'iou': round(inter_all / union_all, 4) if union_all else 0.0,
        'mean_image_iou': round(float(np.mean([x['iou'] for x in per_image])), 4) if per_image else 0.0,
        'f1': round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        'precision': round(precision, 4), 'recall': round(recall, 4),
        'worst': sorted(per_image, key=lambda x: x['iou'])[:8],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=120)
    ap.add_argument('--batch', type=int, default=12)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--split-seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--limit', type=int, default=0, help='use only N images per split (smoke test)')
    ap.add_argument('--out', type=Path, default=REPO / 'models' / 'water-lite')
    ap.add_argument('--checkpoint', type=Path, default=Path('/tmp/vigil-training/water.pt'))
    ap.add_argument('--eval-only', action='store_true')
    args = ap.parse_args()

    g = seed_everything(args.seed, args.threads)
    clock = Stopwatch()
    root = data_dir() / 'flood' / 'water-seg'
    items = list_items(root)
    # Each photo is its own source here (no video frames), so a seeded image-level split.
    assign = split_groups([it['file'] for it in items], args.split_seed, (0.15, 0.15))
    by_split = {s: [it for it in items if assign[it['file']] == s] for s in ['train', 'val', 'test']}
    if args.limit:
        by_split = {s: v[:args.limit] for s, v in by_split.items()}
    images = {s: torch.stack([load_rgb(root / it['file'], SIZE) for it in v]) for s, v in by_split.items()}
    masks = torch.stack([load_mask(root / it['mask'], SIZE) for it in by_split['train']])[:, None]
    print(f'loaded {[len(v) for v in by_split.values()]} images in {clock.minutes():.1f} min', flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / 'splits.json', {
        'rule': 'image-level, seeded (split seed %d); every photo is a separate source' % args.split_seed,
        'files': {s: [it['file'] for it in v] for s, v in by_split.items()},
    })

    model = WaterUNet()
    args.checkpoint.parent.mkdir(parents=True, exist_ok=True)
    log = []
    if not args.eval_only:
        n = len(by_split['train'])
        steps_per_epoch = max(1, n // args.batch)
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)
        best = (-1.0, 0)
        for epoch in range(args.epochs):
            model.train()
            perm = torch.randperm(n, generator=g)
            total = 0.0
            for step in range(steps_per_epoch):
                idx = perm[step * args.batch:(step + 1) * args.batch]
                x = images['train'][idx].float() / 255
                # Channel 0: water; channel 1: "real pixel" (0 where the warp pulled in black border).
                lab = torch.cat([masks[idx], torch.ones_like(masks[idx])], 1)
                x, lab = geometric(x, lab, g)
                x = photometric(x, g)
                loss = loss_fn(model(x), lab[:, :1], lab[:, 1:])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss)
            if (epoch + 1) % 5 == 0 or epoch + 1 == args.epochs:
                val = evaluate(predict(model, images['val']), by_split['val'], root, 0.5)
                log.append({'epoch': epoch + 1, 'loss': round(total / steps_per_epoch, 4), 'val_iou': val['iou'],
                            'minutes': round(clock.minutes(), 1)})
                print(json.dumps(log[-1]), flush=True)
                if val['iou'] >= best[0]:
                    best = (val['iou'], epoch + 1)
                    torch.save(model.state_dict(), args.checkpoint)
        print(f'best val IoU {best[0]} at epoch {best[1]}', flush=True)
    model.load_state_dict(torch.load(args.checkpoint))
    train_minutes = clock.minutes()

    metrics = {
        'val': evaluate(predict(model, images['val']), by_split['val'], root, 0.5),
        'test': evaluate(predict(model, images['test']), by_split['test'], root, 0.5),
        'train_log': log, 'minutes': round(train_minutes, 1), 'epochs': args.epochs, 'seed': args.seed,
        'threads': args.threads, 'limit': args.limit,
    }
    # The runtime's segmentation-mask decoder thresholds logits (models/src/decoders/segmentation.ts).
    if args.eval_only:
        metrics |= previous_training(args.out / 'metrics.json')
    onnx_path = args.out / 'water.onnx'
    export_onnx(model, SIZE, onnx_path, 'images', ['logits'])
    with torch.no_grad():
        logits = model.eval()(parity_input(SIZE)).flatten()
    real = by_split['test'][0]
    real_prob = predict(model, images['test'][:1])[0]
    stamp_manifest(args.out, onnx_path, {
        'input': 'models/training/common.py parity_input(%d)' % SIZE,
        'logits_every_97th': [round(v, 4) for v in logits[::97].tolist()],
        'logits_mean': round(float(logits.mean()), 5),
        'image': {'file': 'flood/water-seg/' + real['file'], 'coverage': round(float((real_prob >= 0.5).float().mean()), 4)},
    })
    write_json(args.out / 'metrics.json', metrics)
    print(json.dumps({'minutes': metrics['minutes'], 'test_iou': metrics['test']['iou'], 'test_f1': metrics['test']['f1']}), flush=True)


if __name__ == '__main__':
    main()
