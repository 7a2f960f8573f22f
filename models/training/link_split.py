"""Make one split of a model's data into a folder `vigil models eval` reads, from symlinks (the data is
never copied):

    /usr/bin/python3 models/training/link_split.py fire-smoke test /tmp/vigil-splits/fire-smoke-test
    npx vigil models eval --model fire-smoke --data /tmp/vigil-splits/fire-smoke-test

fire-smoke(-backbone) gives images/ + labels/ + data.yaml (YOLO); water and water-lite give images/ + masks/.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from common import REPO, data_dir


def main() -> None:
    if len(sys.argv) != 4 or sys.argv[1] not in ('fire-smoke', 'water', 'water-lite') or sys.argv[2] not in ('train', 'val', 'test'):
        raise SystemExit(__doc__)
    model, split, dest = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    files = json.loads((REPO / 'models' / model / 'splits.json').read_text())['files'][split]
    if dest.exists():
        shutil.rmtree(dest)
    (dest / 'images').mkdir(parents=True)
    if model.startswith('fire-smoke'):
        root = data_dir() / 'fire-smoke' / 'cctv-fire8'
        (dest / 'labels').mkdir()
        for f in files:
            img = root / f
            (dest / 'images' / img.name).symlink_to(img)
            label = img.parent.parent / 'labels' / (img.stem + '.txt')
            if label.exists():
                (dest / 'labels' / label.name).symlink_to(label)
        (dest / 'data.yaml').symlink_to(root / 'data.yaml')
    else:
        root = data_dir() / 'flood' / 'water-seg'
        (dest / 'masks').mkdir()
        for f in files:
            img = root / f
            (dest / 'images' / img.name).symlink_to(img)
            mask = root / 'masks' / (img.stem + '.png')
            (dest / 'masks' / mask.name).symlink_to(mask)
    print(f'{len(files)} {split} images of {model} linked into {dest}')


if __name__ == '__main__':
    main()
