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

from common import REPO

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
