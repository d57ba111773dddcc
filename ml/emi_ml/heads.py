"""Heads over cached backbone features: the trainable second stage of a branch.

A head graph reads `features` [batch, steps, dim] (float32; the platform caches float16 and widens them) and gives
`emi_steps` [batch, steps, 6] and `emi_segment` [batch, 6], sigmoid, in [0, 1]: the same outputs as a whole branch,
so the engine fuses and windows them alike. The layouts are the source papers' temporal models without their
backbones:

* audio: per-step features ⊕ the segment's global mean vector → LSTM → EMI head (Hallmen et al. 2024);
* visual: LayerNorm → linear → TCN → Transformer encoder → EMI head (Yu, Zhu, Zhu 2024).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import Tensor, nn

from . import ort
from .visual import EncoderLayer, TemporalBlock

INPUT = "features"
OUTPUTS = ("emi_steps", "emi_segment")
OPSET = 14


@dataclass(frozen=True)
class HeadConfig:
    kind: str  # audio | visual
    feature_dim: int
    hidden: int = 64  # audio: LSTM hidden size per direction; visual: model dim
    tcn_levels: int = 2
    tcn_kernel: int = 3
    num_layers: int = 1
    num_heads: int = 4
    ff_dim: int = 128
    dropout: float = 0.1

    def as_dict(self) -> dict:
        return asdict(self)


class AudioHead(nn.Module):
    def __init__(self, cfg: HeadConfig):
        super().__init__()
        self.cfg = cfg
        self.lstm = nn.LSTM(input_size=2 * cfg.feature_dim, hidden_size=cfg.hidden, batch_first=True, bidirectional=True)
        self.emi_head = nn.Linear(2 * cfg.hidden, 6)

    def forward(self, features: Tensor):
        x = torch.cat([features, features.mean(dim=1, keepdim=True).expand_as(features)], dim=-1)
        h, _ = self.lstm(x)
        return torch.sigmoid(self.emi_head(h)), torch.sigmoid(self.emi_head(h.mean(dim=1)))


class VisualHead(nn.Module):
    def __init__(self, cfg: HeadConfig):
        super().__init__()
        self.cfg = cfg
        self.feature_norm = nn.LayerNorm(cfg.feature_dim)
        self.in_proj = nn.Linear(cfg.feature_dim, cfg.hidden)
        self.tcn = nn.Sequential(*[TemporalBlock(cfg.hidden, cfg.tcn_kernel, 2 ** i, cfg.dropout) for i in range(cfg.tcn_levels)])
        self.encoder = nn.Sequential(*[EncoderLayer(cfg.hidden, cfg.num_heads, cfg.ff_dim, cfg.dropout) for _ in range(cfg.num_layers)])
        self.final_norm = nn.LayerNorm(cfg.hidden)
        self.emi_head = nn.Linear(cfg.hidden, 6)

    def forward(self, features: Tensor):
        x = self.in_proj(self.feature_norm(features))
        x = self.tcn(x.transpose(1, 2)).transpose(1, 2)
        x = self.final_norm(self.encoder(x))
        return torch.sigmoid(self.emi_head(x)), torch.sigmoid(self.emi_head(x.mean(dim=1)))


def build(cfg: HeadConfig, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    if cfg.kind == "audio":
        return AudioHead(cfg)
    if cfg.kind == "visual":
        return VisualHead(cfg)
    raise ValueError(f"unknown head kind {cfg.kind!r}")


def export(model: nn.Module, path: Path) -> None:
    model.eval()
    example = torch.randn(2, 5, model.cfg.feature_dim, generator=torch.Generator().manual_seed(0))
    axes = {INPUT: {0: "batch", 1: "steps"}, "emi_steps": {0: "batch", 1: "steps"}, "emi_segment": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        # The exporter warns about LSTM batch sizes and traced shape checks; parity() runs other sizes instead.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(model, (example,), str(path), opset_version=OPSET, input_names=[INPUT],
                          output_names=list(OUTPUTS), dynamic_axes=axes, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))


def parity(model: nn.Module, path: Path, cases=((1, 7), (3, 16))) -> float:
    """Largest |ONNX Runtime − PyTorch| over the outputs, at batch sizes and lengths other than the traced one."""
    worst = 0.0
    g = torch.Generator().manual_seed(1)
    with ort.Session(path) as session:
        for batch, steps in cases:
            x = torch.randn(batch, steps, model.cfg.feature_dim, generator=g)
            with torch.no_grad():
                expected = [t.numpy() for t in model(x)]
            got = session.run(list(OUTPUTS), {INPUT: x.numpy()})
            worst = max(worst, *(float(np.max(np.abs(a - b))) for a, b in zip(got, expected)))
    return worst
