"""Shared plumbing for Vigil's offline training scripts: data location, seeding, image loading,
splits by source and ONNX export. Python is only for training; nothing here runs on the edge."""
from __future__ import annotations

import hashlib
import json
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """VIGIL_DATA_DIR, else ../shared/data from the repo root (as @vigil/testkit's dataDir())."""
    d = Path(os.environ.get('VIGIL_DATA_DIR', REPO.parent / 'shared' / 'data'))
    if not d.is_dir():
        raise SystemExit(f'data folder {d} not found: set VIGIL_DATA_DIR to the Vigil reference data folder')
    return d


def seed_everything(seed: int, threads: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def load_rgb(path: Path, size: int) -> torch.Tensor:
    """Decode and stretch-resize to size x size, uint8 CHW (the manifest's resize rule: stretch)."""
    im = Image.open(path).convert('RGB').resize((size, size), Image.BILINEAR)
    return torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1).contiguous()


def split_groups(groups: list[str], seed: int, fractions: tuple[float, float],
                 strata: dict[str, str] | None = None) -> dict[str, str]:
    """Assign whole source groups to test / val / train, so no source straddles two splits.

    With strata (group -> kind), each kind is split separately, so every split gets some of each
    kind of scene (e.g. fire, smoke-only and no-fire sources)."""
    rng = random.Random(seed)
    kinds: dict[str, list[str]] = {}
    for gname in sorted(set(groups)):
        kinds.setdefault((strata or {}).get(gname, ''), []).append(gname)
    out = {}
    for kind in sorted(kinds):
        uniq = kinds[kind]
        rng.shuffle(uniq)
        n_test = max(1, round(len(uniq) * fractions[0]))
        n_val = max(1, round(len(uniq) * fractions[1]))
        for i, gname in enumerate(uniq):
            out[gname] = 'test' if i < n_test else 'val' if i < n_test + n_val else 'train'
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model: torch.nn.Module, size: int, path: Path, input_name: str, output_names: list[str]) -> None:
    """float32 NCHW RGB 0..1 input, dynamic batch, opset 13."""
    model.eval()
    dummy = torch.zeros(1, 3, size, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    axes = {name: {0: 'batch'} for name in [input_name, *output_names]}
    torch.onnx.export(model, dummy, str(path), input_names=[input_name], output_names=output_names,
                      dynamic_axes=axes, opset_version=13, do_constant_folding=True)


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + '\n')


class Stopwatch:
    def __init__(self) -> None:
        self.t0 = time.time()

    def minutes(self) -> float:
        return (time.time() - self.t0) / 60


def parity_input(size: int) -> torch.Tensor:
    """A deterministic 1x3xSxS input the TypeScript test rebuilds exactly, to check ONNX vs PyTorch."""
    ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing='ij')
    return torch.stack([((xs * 7 + ys * 13 + c * 29) % 256).float() / 255 for c in range(3)])[None]


def stamp_manifest(model_dir: Path, onnx_path: Path, parity: dict) -> None:
    """Writes the exported file's sha256 into model.json and the reference outputs into parity.json."""
    manifest = model_dir / 'model.json'
    if manifest.exists():
        m = json.loads(manifest.read_text())
        m['file']['sha256'] = sha256(onnx_path)
        write_json(manifest, m)
    write_json(model_dir / 'parity.json', parity)


def previous_training(metrics_path: Path) -> dict:
    """On --eval-only, keep the training log and time of the run that made the checkpoint."""
    if not metrics_path.exists():
        return {}
    old = json.loads(metrics_path.read_text())
    return {k: old[k] for k in ('train_log', 'best_epoch', 'copies', 'minutes', 'epochs', 'stop_after', 'seed', 'threads', 'limit') if k in old}
