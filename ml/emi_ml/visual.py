"""Visual branch after Yu, Zhu, Zhu 2024 (ABAW6 EMI).

ResNet18 per frame (torchvision's implementation), optionally joined by facial Action Unit
intensities, then a temporal model (a TCN followed by a Transformer encoder) and an EMI head, with
per-step (per frame) and per-segment outputs.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torchvision.models.resnet import BasicBlock, ResNet

from .config import VisualConfig

INPUTS = ("frames", "aus")
OUTPUTS = ("emi_steps", "emi_segment")
# The bundle contract v2: a per-frame backbone graph and a head graph over the frames' features.
FEATURES = "features"
BACKBONE_INPUTS = ("frames",)
BACKBONE_OUTPUTS = (FEATURES,)
HEAD_INPUTS = (FEATURES, "aus")
HEAD_OUTPUTS = OUTPUTS


def resnet18_trunk(width: int) -> ResNet:
    """torchvision's ResNet18 without its classifier; `width` scales every stage (64 = the original).

    The small widths keep the tiny preset's bundle a few megabytes; layout, depth and blocks are
    ResNet18's either way.
    """
    net = ResNet(BasicBlock, [2, 2, 2, 2])
    if width != 64:
        net.inplanes = width
        net.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        net.bn1 = nn.BatchNorm2d(width)
        net.layer1 = net._make_layer(BasicBlock, width, 2)
        net.layer2 = net._make_layer(BasicBlock, 2 * width, 2, stride=2)
        net.layer3 = net._make_layer(BasicBlock, 4 * width, 2, stride=2)
        net.layer4 = net._make_layer(BasicBlock, 8 * width, 2, stride=2)
        # The initialisation torchvision gives its own layers.
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
    net.fc = nn.Identity()
    return net


class TemporalBlock(nn.Module):
    """Two dilated, non-causal 1-D convolutions with a residual connection ([B, C, T] -> same)."""

    def __init__(self, dim: int, kernel: int, dilation: int, dropout: float):
        super().__init__()
        pad = dilation * (kernel - 1) // 2
        self.conv1 = nn.Conv1d(dim, dim, kernel, padding=pad, dilation=dilation)
        self.conv2 = nn.Conv1d(dim, dim, kernel, padding=pad, dilation=dilation)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        y = self.dropout(torch.relu(self.conv1(x)))
        y = self.dropout(self.conv2(y))
        return torch.relu(x + y)


class EncoderLayer(nn.Module):
    """Pre-norm Transformer encoder layer.

    Written out rather than nn.TransformerEncoderLayer because PyTorch 1.13's fused inference path
    for that module does not export to ONNX; the arithmetic is the same.
    """

    def __init__(self, dim: int, heads: int, ff_dim: int, dropout: float):
        super().__init__()
        if dim % heads:
            raise ValueError(f"model_dim {dim} is not divisible by num_heads {heads}")
        self.heads, self.head_dim = heads, dim // heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, ff_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(ff_dim, dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        q, k, v = (z.reshape(b, t, self.heads, self.head_dim).transpose(1, 2) for z in (q, k, v))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.dropout(self.proj(y))
        return x + self.dropout(self.ff(self.norm2(x)))


class VisualBranch(nn.Module):
    """Inputs: frames [batch, time, 3, H, W] (RGB, scaled to [0, 1] then normalised with the
    manifest's mean/std) and aus [batch, time, n_aus] (intensities 0..5, zeros when absent).

    Outputs: emi_steps [batch, time, 6] and emi_segment [batch, 6], sigmoid, in [0, 1].
    """

    frozen_prefixes = ("backbone.",)

    def __init__(self, cfg: VisualConfig):
        super().__init__()
        self.cfg = cfg
        self.backbone = resnet18_trunk(cfg.resnet_width)
        # Frozen features from an untrained or differently trained ResNet come at any scale; the
        # norm keeps the temporal model's input well-conditioned.
        self.feature_norm = nn.LayerNorm(cfg.feature_dim)
        self.in_proj = nn.Linear(cfg.feature_dim + len(cfg.action_units), cfg.model_dim)
        self.tcn = nn.Sequential(*[
            TemporalBlock(cfg.model_dim, cfg.tcn_kernel, 2 ** i, cfg.dropout) for i in range(cfg.tcn_levels)
        ])
        self.encoder = nn.Sequential(*[
            EncoderLayer(cfg.model_dim, cfg.num_heads, cfg.ff_dim, cfg.dropout) for _ in range(cfg.num_layers)
        ])
        self.final_norm = nn.LayerNorm(cfg.model_dim)
        self.emi_head = nn.Linear(cfg.model_dim, 6)

    def backbone_features(self, frames: Tensor) -> Tensor:
        """The frozen part: ResNet18 features per frame, [B, T, feature_dim]."""
        b, t = frames.shape[0], frames.shape[1]
        f = self.backbone(frames.reshape(b * t, frames.shape[2], frames.shape[3], frames.shape[4]))
        return f.reshape(b, t, f.shape[-1])

    def frame_features(self, frames: Tensor) -> Tensor:
        """The backbone graph: frames [N, 3, H, W] (one row per frame) -> features [N, feature_dim]."""
        return self.backbone(frames)

    def heads(self, features: Tensor, aus: Tensor):
        x = torch.cat([self.feature_norm(features), aus / self.cfg.au_max], dim=-1)
        x = self.in_proj(x)
        x = self.tcn(x.transpose(1, 2)).transpose(1, 2)
        x = self.final_norm(self.encoder(x))
        return torch.sigmoid(self.emi_head(x)), torch.sigmoid(self.emi_head(x.mean(dim=1)))

    def forward(self, frames: Tensor, aus: Tensor):
        return self.heads(self.backbone_features(frames), aus)

    def example_inputs(self, batch: int = 2, frames: int = 4) -> tuple[Tensor, Tensor]:
        g = torch.Generator().manual_seed(0)
        s = self.cfg.image_size
        return (
            torch.randn(batch, frames, 3, s, s, generator=g),
            torch.rand(batch, frames, len(self.cfg.action_units), generator=g) * self.cfg.au_max,
        )
