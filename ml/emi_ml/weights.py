"""Weights in and out: building a branch at a preset and loading a PyTorch state dict into it."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .audio import AudioBranch
from .config import Preset, as_dict
from .visual import VisualBranch

FORMAT = "emi-branch-weights/1"
BRANCHES = ("audio", "visual")


class WeightsError(ValueError):
    pass


def build(branch: str, preset: Preset, seed: int) -> nn.Module:
    """A branch with deterministic initial weights: the same preset and seed give the same bytes."""
    # Each branch gets its own seed so that its weights do not depend on the other branch's size.
    torch.manual_seed(seed + BRANCHES.index(branch))
    if branch == "audio":
        return AudioBranch(preset.audio)
    if branch == "visual":
        return VisualBranch(preset.visual)
    raise ValueError(f"unknown branch {branch!r}")


def save(path: Path, branch: str, model: nn.Module, *, trained: bool, info: dict) -> None:
    """What `train` writes: the state dict plus what it is, so `export` can check it fits."""
    torch.save({
        "format": FORMAT,
        "branch": branch,
        "config": as_dict(model.cfg),
        "trained": trained,
        "info": info,
        "state_dict": model.state_dict(),
    }, path)


def load(path: Path, branch: str, model: nn.Module, *, partial: bool = False) -> dict:
    """Loads a state dict (ours, or a plain `model.state_dict()` of the branch) into `model`.

    With partial=True, parameters the file lacks keep their initial values (e.g. a backbone-only
    checkpoint before training the heads); a key the branch does not have, or a shape that does not
    match, is refused either way. Returns what the file said about itself.
    """
    try:
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such file") from None
    except Exception as e:  # torch raises several types for a file that is not a checkpoint
        raise WeightsError(f"{path}: not a PyTorch state dict ({e})") from None
    meta = {"trained": True}
    if isinstance(obj, dict) and obj.get("format") == FORMAT:
        if obj["branch"] != branch:
            raise WeightsError(f"{path}: holds {obj['branch']} weights, not {branch}")
        if obj["config"] != as_dict(model.cfg):
            diff = sorted(k for k in obj["config"] if obj["config"][k] != as_dict(model.cfg).get(k))
            raise WeightsError(f"{path}: trained with a different {branch} architecture (differs in: {', '.join(diff)}); "
                               "export with the preset it was trained with")
        meta = {"trained": bool(obj["trained"]), **obj.get("info", {})}
        state = obj["state_dict"]
    elif isinstance(obj, dict) and all(isinstance(v, torch.Tensor) for v in obj.values()):
        state = obj
    else:
        raise WeightsError(f"{path}: not a state dict of the {branch} branch")
    own = model.state_dict()
    unexpected = sorted(set(state) - set(own))
    if unexpected:
        raise WeightsError(f"{path}: {len(unexpected)} key(s) the {branch} branch does not have, e.g. {unexpected[:3]}")
    mismatched = [k for k in state if state[k].shape != own[k].shape]
    if mismatched:
        k = mismatched[0]
        raise WeightsError(f"{path}: {k} has shape {tuple(state[k].shape)}, the branch wants {tuple(own[k].shape)}")
    missing = sorted(set(own) - set(state))
    if missing and not partial:
        raise WeightsError(f"{path}: lacks {len(missing)} key(s) of the {branch} branch, e.g. {missing[:3]}")
    model.load_state_dict(state, strict=not partial)
    meta["missing_keys"] = len(missing)
    return meta
