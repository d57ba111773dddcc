"""The two graphs of each branch (bundle contract v2): a backbone (media -> per-step or per-frame features)
and a head (features -> EMI and VAD). The platform caches a backbone's features per recording, keyed by the
backbone graph's SHA-256, so a new head re-scores a study without running the backbone again.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from . import audio as audio_mod
from . import visual as visual_mod


class AudioBackbone(nn.Module):
    """waveform [batch, samples] -> features [batch, steps, D]."""

    def __init__(self, branch: audio_mod.AudioBranch):
        super().__init__()
        self.branch = branch

    def forward(self, waveform: Tensor) -> Tensor:
        return self.branch.backbone_steps(waveform)


class AudioHead(nn.Module):
    """features [batch, steps, D] -> emi_steps, emi_segment, vad_steps, vad_segment."""

    def __init__(self, branch: audio_mod.AudioBranch):
        super().__init__()
        self.branch = branch

    def forward(self, features: Tensor):
        return self.branch.head_graph(features)


class VisualBackbone(nn.Module):
    """frames [batch, 3, H, W] (one row per frame, normalised) -> features [batch, D]."""

    def __init__(self, branch: visual_mod.VisualBranch):
        super().__init__()
        self.branch = branch

    def forward(self, frames: Tensor) -> Tensor:
        return self.branch.frame_features(frames)


class VisualHead(nn.Module):
    """features [batch, time, D], aus [batch, time, A] -> emi_steps, emi_segment."""

    def __init__(self, branch: visual_mod.VisualBranch):
        super().__init__()
        self.branch = branch

    def forward(self, features: Tensor, aus: Tensor):
        return self.branch.heads(features, aus)


@dataclass(frozen=True)
class Graph:
    """One ONNX graph of a branch: its module, tensor names and dynamic axes."""

    branch: str
    kind: str  # "backbone" | "head"
    module: nn.Module
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    axes: dict

    @property
    def file(self) -> str:
        return f"{self.branch}-{self.kind}.onnx"


def graphs(branch: str, model: nn.Module) -> tuple[Graph, Graph]:
    """(backbone, head) of a branch model."""
    if branch == "audio":
        return (
            Graph("audio", "backbone", AudioBackbone(model), audio_mod.BACKBONE_INPUTS, audio_mod.BACKBONE_OUTPUTS,
                  {"waveform": {0: "batch", 1: "samples"}, "features": {0: "batch", 1: "steps"}}),
            Graph("audio", "head", AudioHead(model), audio_mod.HEAD_INPUTS, audio_mod.HEAD_OUTPUTS,
                  {"features": {0: "batch", 1: "steps"}, "emi_steps": {0: "batch", 1: "steps"},
                   "vad_steps": {0: "batch", 1: "steps"}, "emi_segment": {0: "batch"}, "vad_segment": {0: "batch"}}),
        )
    return (
        Graph("visual", "backbone", VisualBackbone(model), visual_mod.BACKBONE_INPUTS, visual_mod.BACKBONE_OUTPUTS,
              {"frames": {0: "batch"}, "features": {0: "batch"}}),
        Graph("visual", "head", VisualHead(model), visual_mod.HEAD_INPUTS, visual_mod.HEAD_OUTPUTS,
              {"features": {0: "batch", 1: "time"}, "aus": {0: "batch", 1: "time"},
               "emi_steps": {0: "batch", 1: "time"}, "emi_segment": {0: "batch"}}),
    )


def feature_dim(branch: str, model: nn.Module) -> int:
    return model.cfg.embed_dim if branch == "audio" else model.cfg.feature_dim


def split_cases(branch: str, model: nn.Module, cases) -> dict[str, list[tuple[str, tuple[Tensor, ...]]]]:
    """The whole-branch parity cases as backbone cases (the media) and head cases (the backbone's features
    for the same media, plus the AUs), so each graph is checked on the inputs it meets in the engine."""
    out = {"backbone": [], "head": []}
    with torch.no_grad():
        for name, inputs in cases:
            if branch == "audio":
                (waveform,) = inputs
                out["backbone"].append((name, (waveform,)))
                out["head"].append((name, (model.backbone_steps(waveform),)))
            else:
                frames, aus = inputs
                b, t = frames.shape[:2]
                flat = frames.reshape(b * t, *frames.shape[2:])
                out["backbone"].append((name, (flat,)))
                out["head"].append((name, (model.frame_features(flat).reshape(b, t, -1), aus)))
    return out
