"""Markdown tables for a model card from the training script's metrics.json (and, when present, the
backbone comparison):

    /usr/bin/python3 models/training/report.py fire-smoke
    /usr/bin/python3 models/training/report.py water-lite
"""
from __future__ import annotations

import json
import sys

from common import REPO


def fire(m: dict, cmp: dict | None) -> str:
    t = m['test']
    out = [f"Test split: {t['images']} frames, threshold {m['threshold']} (chosen on val from 0.3-0.7 by frame F1; "
           f"val F1 by threshold: {', '.join(f'{k}: {v}' for k, v in m['threshold_by_val'].items())}).", '',
           '| metric | precision | recall | F1 | TP / FP / FN |', '|---|---|---|---|---|']

    def row(name: str, r: dict) -> str:
        return f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | **{r['f1']:.3f}** | {r['tp']} / {r['fp']} / {r['fn']} |"
    out.append(row('frame: any fire or smoke', t['frame_any']))
    for c, r in t['frame_per_class'].items():
        out.append(row(f'frame: {c}', r))
    for c, r in t['boxes_per_class'].items():
        out.append(row(f'boxes IoU>=0.5: {c}', r))
    out += ['', f"mAP@0.5 (boxes, runtime decoder): **{t['mAP50']:.3f}** (fire {t['ap50_per_class']['fire']:.3f}, smoke {t['ap50_per_class']['smoke']:.3f}).",
            '', f"Validation split ({m['val']['images']} frames): frame F1 {m['val']['frame_any']['f1']:.3f}, mAP@0.5 {m['val']['mAP50']:.3f}."]
    if 'video_house6' in m:
        v = m['video_house6']
        out += ['', f"Video check, house6.mp4 (FURG, every 10th annotated frame): fire found in {v['frames_with_fire_found']} of "
                f"{v['frames_checked']} frames; {v['flame_boxes_with_fire_cell']} of {v['flame_boxes']} annotated flame rectangles "
                'overlap a grid cell scored >= threshold for fire.']
    if cmp:
        c = cmp['test']
        out += ['', '| test split | frame F1 (any) | fire frame F1 | smoke frame F1 | mAP@0.5 |', '|---|---|---|---|---|',
                f"| from scratch (shipped) | {t['frame_any']['f1']:.3f} | {t['frame_per_class']['fire']['f1']:.3f} | {t['frame_per_class']['smoke']['f1']:.3f} | {t['mAP50']:.3f} |",
                f"| heads on frozen CenterNet backbone | {c['frame_any']['f1']:.3f} | {c['frame_per_class']['fire']['f1']:.3f} | {c['frame_per_class']['smoke']['f1']:.3f} | {c['mAP50']:.3f} |",
                '', f"Validation: scratch frame F1 {m['val']['frame_any']['f1']:.3f} / mAP {m['val']['mAP50']:.3f}; "
                f"backbone heads {cmp['val']['frame_any']['f1']:.3f} / {cmp['val']['mAP50']:.3f}."]
    return '\n'.join(out)


def water(m: dict, cmp: dict | None) -> str:
    t = m['test']
    out = [f"Test split: {t['images']} photos, threshold 0.5, scored at each photo's own mask resolution.", '',
           '| metric | value |', '|---|---|',
           f"| IoU (all test pixels pooled) | **{t['iou']:.3f}** |",
           f"| mean per-image IoU | {t['mean_image_iou']:.3f} |",
           f"| F1 (Dice) | {t['f1']:.3f} |",
           f"| precision / recall | {t['precision']:.3f} / {t['recall']:.3f} |",
           '', f"Validation split ({m['val']['images']} photos): IoU {m['val']['iou']:.3f}, F1 {m['val']['f1']:.3f}.",
           '', 'Worst test photos (IoU; true and predicted water fraction): ' +
           '; '.join(f"{w['file']} {w['iou']:.2f} ({w['water_truth']:.2f} vs {w['water_pred']:.2f})" for w in t['worst'][:6]) + '.']
    if cmp:
        out += ['', '| | test IoU | test F1 | val IoU |', '|---|---|---|---|',
                f"| from scratch U-Net (shipped) | {t['iou']:.3f} | {t['f1']:.3f} | {m['val']['iou']:.3f} |",
                f"| head on frozen CenterNet backbone (stride 16, no skips) | {cmp['test']['iou']:.3f} | {cmp['test']['f1']:.3f} | {cmp['val']['iou']:.3f} |"]
    return '\n'.join(out)


def main() -> None:
    name = sys.argv[1] if len(sys.argv) == 2 else ''
    if name not in ('fire-smoke', 'water-lite'):
        raise SystemExit(__doc__)
    d = REPO / 'models' / name
    m = json.loads((d / 'metrics.json').read_text())
    cmp_path = d / 'backbone-comparison.json'
    cmp = json.loads(cmp_path.read_text()) if cmp_path.exists() else None
    if cmp and 'stride16_256px_no_augmentation' in cmp:
        cmp = cmp['stride16_256px_no_augmentation']
    print(fire(m, cmp) if name == 'fire-smoke' else water(m, cmp))
    if m.get('train_log'):
        print('\nTraining log (validation):', json.dumps(m['train_log']))
    print(f"\nTraining time: {m.get('minutes')} min wall, {m.get('epochs')} epochs, {m.get('threads')} thread(s).")


if __name__ == '__main__':
    main()
