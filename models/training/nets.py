"""Small CPU-friendly networks: depthwise-separable blocks (MobileNet style), a squeeze-excite gate
for whole-frame context, a dense fire/smoke grid classifier and a compact U-Net for water."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1, dilation: int = 1, groups: int = 1) -> nn.Sequential:
    pad = dilation * (k // 2)
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, dilation=dilation, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SepConv(nn.Module):
    """Depthwise 3x3 then pointwise 1x1, with a residual when shapes allow."""

    def __init__(self, cin: int, cout: int, stride: int = 1, dilation: int = 1) -> None:
        super().__init__()
        self.dw = conv_bn(cin, cin, 3, stride, dilation, groups=cin)
        self.pw = conv_bn(cin, cout, 1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pw(self.dw(x))
        return x + y if self.residual else y


class ContextGate(nn.Module):
    """Squeeze-excite: lets each cell see whole-frame context (a smoke plume is judged by its scene)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(c, c // 4, 1)
        self.fc2 = nn.Conv2d(c // 4, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = F.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(s))))


class Encoder(nn.Module):
    """Stride-16 encoder; returns features at strides 2, 4, 8 and 16."""

    def __init__(self, w: tuple[int, int, int, int] = (16, 32, 64, 128)) -> None:
        super().__init__()
        self.s2 = nn.Sequential(conv_bn(3, w[0], 3, 2), SepConv(w[0], w[0]))
        self.s4 = nn.Sequential(SepConv(w[0], w[1], 2), SepConv(w[1], w[1]))
        self.s8 = nn.Sequential(SepConv(w[1], w[2], 2), SepConv(w[2], w[2]), SepConv(w[2], w[2]))
        self.s16 = nn.Sequential(SepConv(w[2], w[3], 2), SepConv(w[3], w[3]), SepConv(w[3], w[3], dilation=2),
                                 SepConv(w[3], w[3], dilation=4), ContextGate(w[3]))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        f2 = self.s2(x)
        f4 = self.s4(f2)
        f8 = self.s8(f4)
        return [f2, f4, f8, self.s16(f8)]


class FireSmokeGrid(nn.Module):
    """Per-cell {fire, smoke} logits on a stride-16 grid (224 input -> 14x14 cells), plus per-cell box
    extents (left, top, right, bottom in input pixels from the cell's corner x*16, y*16): the output
    pair the runtime's CenterNet decoder reads."""

    BOX_SCALE = 32.0

    def __init__(self) -> None:
        super().__init__()
        self.encoder = Encoder()
        self.lateral = conv_bn(64, 128, 1)
        self.head = nn.Sequential(SepConv(128, 128), nn.Conv2d(128, 2, 1))
        self.box = nn.Sequential(SepConv(128, 64), nn.Conv2d(64, 4, 1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _, _, f8, f16 = self.encoder(x)
        # Fold stride-8 detail into the grid so small, distant flames still light a cell.
        f = f16 + F.max_pool2d(self.lateral(f8), 2)
        return self.head(f), self.box(f) * self.BOX_SCALE


class FireSmokeExport(nn.Module):
    """Shipped form: outputs `heatmap` (sigmoid scores) and `sizes` (box extents in input pixels)."""

    def __init__(self, net: FireSmokeGrid) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        heat, sizes = self.net(x)
        return torch.sigmoid(heat), sizes


class WaterUNet(nn.Module):
    """Compact U-Net: the decoder merges stride-8 and stride-4 features and stops at stride 4 (water
    edges are soft, and a stride-2 decoder stage doubled the training cost on this CPU); the logits
    are upsampled bilinearly to the full input resolution."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = Encoder()
        self.d8 = SepConv(128 + 64, 64)
        self.d4 = SepConv(64 + 32, 32)
        self.out = nn.Conv2d(32, 1, 1)

    @staticmethod
    def _up(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, size=like.shape[-2:], mode='bilinear', align_corners=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, f4, f8, f16 = self.encoder(x)
        y = self.d8(torch.cat([self._up(f16, f8), f8], 1))
        y = self.d4(torch.cat([self._up(y, f4), f4], 1))
        return F.interpolate(self.out(y), size=x.shape[-2:], mode='bilinear', align_corners=False)

