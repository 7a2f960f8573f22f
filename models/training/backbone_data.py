"""Plumbing for heads trained on the frozen centernet-coco backbone (water_head.py, fire_head.py).

The backbone is frozen, so its features are computed once per training frame: a script writes frames
(512x512 RGB bytes, already augmented) to <work>/<split>.u8, backbone-features.ts runs the very ONNX file
the runtime generates over them, and the head trains on memory-mapped float32 features.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import torch

from common import REPO, sha256, write_json

INPUT = 512  # the detector's input: a head shares its backbone pass
# head input -> backbone output (models/src/convert/human-centernet.ts), as in the heads' model.json
FEATURES = {'s8': 'mb3_s8', 's16': 'mb3_s16', 's32': 'mb3_s32'}


def frame_bytes(x: torch.Tensor) -> bytes:
    """One float CHW 0..1 frame as the HWC RGB bytes the backbone reads."""
    return (x.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).contiguous().numpy().tobytes()


def backbone_features(work: Path, split: str, count: int, threads: int) -> None:
    cmd = ['npx', 'tsx', 'models/training/backbone-features.ts', str(work / f'{split}.u8'), str(count), str(work / split), ','.join(FEATURES.values())]
    subprocess.run(cmd, cwd=REPO, check=True, env={**os.environ, 'VIGIL_THREADS': str(threads)})


def load_features(work: Path, split: str) -> dict[str, np.ndarray]:
    out = {}
    for head_input, output in FEATURES.items():
        meta = json.loads((work / f'{split}.{output}.json').read_text())
        out[head_input] = np.memmap(work / f'{split}.{output}.f32', dtype=np.float32, mode='r', shape=tuple(meta['shape']))
    return out


def batch_of(feats: dict[str, np.ndarray], idx) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.array(v[idx])) for k, v in feats.items()}


def parity_features(shapes: dict[str, tuple[int, ...]]) -> dict[str, torch.Tensor]:
    """Deterministic feature maps the TypeScript test rebuilds exactly (integer arithmetic, so float32
    here and float64 in JavaScript agree): ((i * 37) % 101) / 50 - 1, i counting in NCHW order."""
    return {k: (((torch.arange(int(np.prod(s))) * 37) % 101).float() / 50 - 1).reshape(s) for k, s in shapes.items()}


def frames_and_features(work: Path, splits: list[str], write_frames, reuse: bool, threads: int, clock) -> dict[str, dict[str, np.ndarray]]:
    """Writes the frames (write_frames() -> frames per split) and runs the backbone over them, unless
    reusing an earlier run's; returns the memory-mapped features per split."""
    if not reuse:
        counts = write_frames()
        print(json.dumps({'frames': counts, 'minutes': round(clock.minutes(), 1)}), flush=True)
        for split, n in counts.items():
            backbone_features(work, split, n, threads)
    return {s: load_features(work, s) for s in splits}


def train_head(model: torch.nn.Module, n: int, step_loss, val_score, *, metric: str, epochs: int, batch: int, lr: float,
               g: torch.Generator, checkpoint: Path, clock) -> tuple[tuple[float, int], list[dict]]:
    """The loop both heads share: AdamW + one-cycle over shuffled batches of the n training frames
    (step_loss(sorted indices) -> loss), val_score() after every epoch, the best epoch saved to
    `checkpoint` and loaded back at the end. With epochs=0 it only loads the checkpoint."""
    steps = max(1, n // batch)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(1, epochs * steps))
    best, log = (-1.0, 0), []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=g)
        total = 0.0
        for s in range(steps):
            # sorted: memory-mapped features are read front to back
            loss = step_loss(np.sort(perm[s * batch:(s + 1) * batch].numpy()))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
        value = val_score()
        log.append({'epoch': epoch + 1, 'loss': round(total / steps, 4), metric: value, 'minutes': round(clock.minutes(), 1)})
        print(json.dumps(log[-1]), flush=True)
        if value >= best[0]:
            best = (value, epoch + 1)
            torch.save(model.state_dict(), checkpoint)
    if epochs:
        print(f'best {metric} {best[0]} at epoch {best[1]}', flush=True)
    model.load_state_dict(torch.load(checkpoint))
    model.eval()
    return best, log


def export_head(model: torch.nn.Module, feats: dict[str, np.ndarray], path: Path, outputs: list[str]) -> dict[str, tuple[int, ...]]:
    """ONNX export of a head whose inputs are the FEATURES maps (opset 13, dynamic batch); returns the
    input shapes (batch 1) for the parity record."""
    names = list(FEATURES)
    shapes = {k: (1, *feats[k].shape[1:]) for k in names}
    torch.onnx.export(model, tuple(torch.zeros(shapes[k]) for k in names), str(path), input_names=names, output_names=outputs,
                      dynamic_axes={k: {0: 'batch'} for k in names + outputs}, opset_version=13, do_constant_folding=True)
    return shapes


def stamp_head_manifest(out: Path, onnx_path: Path, threshold: float) -> None:
    """With a model.json in `out`, records the exported file's sha256 and the threshold chosen on val."""
    manifest = out / 'model.json'
    if manifest.exists():
        m = json.loads(manifest.read_text())
        m['file']['sha256'] = sha256(onnx_path)
        m['thresholds']['score'] = threshold
        write_json(manifest, m)
