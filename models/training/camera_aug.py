"""Camera-realistic augmentation, applied to whole batches of float tensors (N,3,H,W in 0..1).

Real cameras are not web photos: they see at night in IR greyscale, through rain and haze, into the
sun, behind heavy H.264/JPEG compression, from high poles at odd angles. Every transform here mimics
one of those conditions. Geometry is applied identically to the image and to a per-pixel label map
(N,C,H,W), so box targets survive perspective and scale changes exactly.

All randomness comes from the torch.Generator passed in, so a seeded run is reproducible.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torchvision.io import decode_jpeg, encode_jpeg


def _u(g: torch.Generator, n: int, lo: float, hi: float) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=g)


def _coin(g: torch.Generator, n: int, p: float) -> torch.Tensor:
    return torch.rand(n, generator=g) < p


def geometric(img: torch.Tensor, labels: torch.Tensor, g: torch.Generator,
              scale: tuple[float, float] = (0.7, 1.35), max_rot_deg: float = 8.0,
              max_shift: float = 0.15, max_persp: float = 0.12) -> tuple[torch.Tensor, torch.Tensor]:
    """Random zoom in/out, small roll, shift, mirror and a perspective (camera tilt) warp.

    A single projective map per sample, sampled with grid_sample; outside the frame is black (as a
    letterboxed or cropped camera view would be) and labels there are 0.
    """
    n, _, h, w = img.shape
    s = _u(g, n, *scale)
    a = _u(g, n, -max_rot_deg, max_rot_deg) * math.pi / 180
    tx, ty = _u(g, n, -max_shift, max_shift), _u(g, n, -max_shift, max_shift)
    flip = torch.where(_coin(g, n, 0.5), -1.0, 1.0)
    # Output->input mapping in normalised coordinates: zoom s>1 means the object appears larger.
    cos, sin = torch.cos(a) / s, torch.sin(a) / s
    m = torch.zeros(n, 3, 3)
    m[:, 0, 0], m[:, 0, 1], m[:, 0, 2] = cos * flip, -sin, tx
    m[:, 1, 0], m[:, 1, 1], m[:, 1, 2] = sin * flip, cos, ty
    m[:, 2, 2] = 1
    # Perspective terms: a camera tilted up/down or sideways.
    m[:, 2, 0] = _u(g, n, -max_persp, max_persp)
    m[:, 2, 1] = _u(g, n, -max_persp, max_persp)
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing='ij')
    pts = torch.stack([xs, ys, torch.ones_like(xs)], -1).reshape(1, -1, 3)  # 1,HW,3
    src = pts @ m.transpose(1, 2)  # n,HW,3
    grid = (src[..., :2] / src[..., 2:3].clamp(min=1e-3)).reshape(n, h, w, 2)
    out_img = F.grid_sample(img, grid, mode='bilinear', padding_mode='zeros', align_corners=True)
    out_lab = F.grid_sample(labels, grid, mode='nearest', padding_mode='zeros', align_corners=True)
    return out_img, out_lab


def _blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    k = max(3, int(sigma * 3) * 2 + 1)
    t = torch.arange(k, dtype=torch.float32) - k // 2
    ker = torch.exp(-(t ** 2) / (2 * sigma ** 2))
    ker = ker / ker.sum()
    c = x.shape[1]
    x = F.conv2d(F.pad(x, (k // 2, k // 2, 0, 0), mode='reflect'), ker.view(1, 1, 1, k).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(F.pad(x, (0, 0, k // 2, k // 2), mode='reflect'), ker.view(1, 1, k, 1).repeat(c, 1, 1, 1), groups=c)


def _rain(h: int, w: int, g: torch.Generator) -> torch.Tensor:
    """Bright, slanted, motion-blurred streaks: sparse drops smeared along a line kernel."""
    drops = (torch.rand(1, 1, h, w, generator=g) < float(_u(g, 1, 0.002, 0.01))).float()
    length = int(_u(g, 1, 7, 21))
    slant = float(_u(g, 1, -0.4, 0.4))
    ker = torch.zeros(1, 1, length, length)
    for i in range(length):
        j = int(round(length / 2 + slant * (i - length / 2)))
        ker[0, 0, i, min(max(j, 0), length - 1)] = 1.0
    streaks = F.conv2d(drops, ker, padding=length // 2)[..., :h, :w]
    return streaks.clamp(0, 1) * float(_u(g, 1, 0.25, 0.6))


def _glare(h: int, w: int, g: torch.Generator) -> torch.Tensor:
    """A soft bright blob: low sun, a street lamp or headlights into the lens."""
    cy, cx = float(_u(g, 1, 0, h)), float(_u(g, 1, 0, w))
    r = float(_u(g, 1, 0.1, 0.45)) * max(h, w)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing='ij')
    blob = torch.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / (2 * r * r))
    tint = torch.tensor([1.0, float(_u(g, 1, 0.85, 1.0)), float(_u(g, 1, 0.6, 1.0))]).view(3, 1, 1)
    return blob.unsqueeze(0) * tint * float(_u(g, 1, 0.3, 0.8))


def photometric(img: torch.Tensor, g: torch.Generator, colour_safe: bool = False) -> torch.Tensor:
    """Per-sample lighting, weather and sensor effects.

    colour_safe=True keeps hue shifts small (fire and smoke are partly defined by colour; IR greyscale
    still applies because real cameras switch to it at night and a model must cope).
    """
    n, _, h, w = img.shape
    out = img.clone()
    # Exposure, contrast, saturation, gamma.
    out = out * _u(g, n, 0.6, 1.4).view(n, 1, 1, 1)
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    out = (out - mean) * _u(g, n, 0.6, 1.4).view(n, 1, 1, 1) + mean
    grey = (0.299 * out[:, 0:1] + 0.587 * out[:, 1:2] + 0.114 * out[:, 2:3])
    sat = _u(g, n, 0.5 if not colour_safe else 0.7, 1.4).view(n, 1, 1, 1)
    out = (out - grey) * sat + grey
    if not colour_safe:
        out = out * _u(g, n * 3, 0.85, 1.15).view(n, 3, 1, 1)  # white-balance drift
    out = out.clamp(0, 1) ** _u(g, n, 0.7, 1.5).view(n, 1, 1, 1)
    for i in range(n):
        x = out[i:i + 1]
        if bool(_coin(g, 1, 0.2)):  # night: dark, noisy
            x = x * float(_u(g, 1, 0.25, 0.6))
            x = x + torch.randn(x.shape, generator=g) * float(_u(g, 1, 0.01, 0.05))
        if bool(_coin(g, 1, 0.15)):  # IR night mode: greyscale, often washed out
            gr = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
            x = (gr * float(_u(g, 1, 0.9, 1.3))).repeat(1, 3, 1, 1)
        if bool(_coin(g, 1, 0.2)):  # haze / fog / dirty dome
            a = float(_u(g, 1, 0.15, 0.5))
            x = x * (1 - a) + a * float(_u(g, 1, 0.6, 0.9))
        if bool(_coin(g, 1, 0.2)):  # rain streaks
            x = x + _rain(h, w, g)
        if bool(_coin(g, 1, 0.15)):  # glare
            x = x + _glare(h, w, g)
        if bool(_coin(g, 1, 0.25)):  # defocus / motion / low bitrate softness
            x = _blur(x, float(_u(g, 1, 0.6, 2.0)))
        if bool(_coin(g, 1, 0.3)):  # sensor noise
            x = x + torch.randn(x.shape, generator=g) * float(_u(g, 1, 0.005, 0.03))
        x = x.clamp(0, 1)
        if bool(_coin(g, 1, 0.35)):  # heavy compression
            q = int(_u(g, 1, 10, 60))
            u8 = (x[0] * 255).round().to(torch.uint8)
            x = decode_jpeg(encode_jpeg(u8, quality=q)).float().unsqueeze(0) / 255
        out[i:i + 1] = x
    return out.clamp(0, 1)
