"""Training a head on exported features and exporting it as a head bundle (`emi_ml.train --features`).

The backbone never runs here: its per-step features come from the platform's cache (feature files, see
emi_ml.features), so a lab retrains heads in seconds on what the platform already computed. The bundle written names
the backbone by the SHA-256 the feature files carry; the platform accepts it only with that backbone.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from . import EMOTIONS, heads, metrics
from .audio import VAD
from .features import FeatureError, LabelledFeatures
from .manifest import sha256_file

SCHEMA_VERSION = 2


class HeadTrainingError(ValueError):
    pass


def segment_steps(step_rate_hz: float, segment_seconds: float) -> int:
    return max(1, int(round(segment_seconds * step_rate_hz)))


def clip_inputs(item: LabelledFeatures, seg_steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A clip's features cut into equal segments of at most seg_steps steps ([k, L, dim]) and their valid mask [k, L]."""
    x = item.file.features.astype(np.float32)
    valid = item.file.valid
    k = math.ceil(x.shape[0] / seg_steps)
    length = x.shape[0] // k
    return (torch.from_numpy(x[: k * length].reshape(k, length, -1)),
            torch.from_numpy(valid[: k * length].reshape(k, length)))


def clip_prediction(model, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor | None:
    """As serving fuses a clip: the mean of its segments' emi_segment; with invalid steps (no face), the mean of
    emi_steps over the valid steps only; None when no step is valid."""
    steps, segment = model(x)
    if bool(valid.all()):
        return segment.mean(dim=0)
    if not bool(valid.any()):
        return None
    return steps[valid].mean(dim=0)


def train(items: list[LabelledFeatures], *, epochs: int, lr: float, seed: int, segment_seconds: float,
          hidden: int, batch_size: int, log=print) -> tuple[torch.nn.Module, dict]:
    usable = [i for i in items if bool(i.file.valid.any())]
    if len(usable) < 2:
        raise HeadTrainingError(f"{len(usable)} labelled clip(s) with valid steps; Pearson ρ needs at least 2")
    first = usable[0].file
    cfg = heads.HeadConfig(kind=first.branch, feature_dim=first.dim, hidden=hidden)
    model = heads.build(cfg, seed)
    seg = segment_steps(first.step_rate_hz, segment_seconds)
    cache = [clip_inputs(i, seg) for i in usable]
    targets = torch.from_numpy(np.stack([i.labels for i in usable]))
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)

    def full_loss() -> float:
        model.eval()
        with torch.no_grad():
            return float(metrics.loss(torch.stack([clip_prediction(model, *c) for c in cache]), targets))

    history = {"initial_loss": full_loss(), "epochs": []}
    started = time.monotonic()
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(usable), generator=generator).tolist()
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        if len(batches) > 1 and len(batches[-1]) < 2:  # ρ of one clip is undefined
            batches[-2] += batches.pop()
        losses = []
        for batch in batches:
            pred = torch.stack([clip_prediction(model, *cache[i]) for i in batch])
            loss = metrics.loss(pred, targets[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss))
        history["epochs"].append(float(np.mean(losses)))
        if epoch == epochs or epoch % max(1, epochs // 10) == 0:
            log(f"{cfg.kind} head: epoch {epoch}/{epochs} loss {history['epochs'][-1]:.4f}")
    model.eval()
    history.update(final_loss=full_loss(), clips=len(usable), seconds=round(time.monotonic() - started, 2),
                   segment_steps=seg, skipped_without_valid_steps=[i.name for i in items if not bool(i.file.valid.any())])
    return model, history


def export_bundle(model, out: Path, *, name: str, version: str, task: str, features_from: LabelledFeatures,
                  segment_seconds: float, overlap_seconds: float, history: dict, build: dict) -> dict:
    """Writes OUT/manifest.json and OUT/<branch>-head.onnx; returns the manifest."""
    branch, f = model.cfg.kind, features_from.file
    out.mkdir(parents=True, exist_ok=True)
    onnx_name = f"{branch}-head.onnx"
    heads.export(model, out / onnx_name)
    worst = heads.parity(model, out / onnx_name)
    if worst > 1e-4:
        raise HeadTrainingError(f"{onnx_name}: ONNX Runtime differs from PyTorch by {worst:.2e} (> 1e-4)")
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "version": version,
        "trained": True,
        # What the head was trained for, in words: a head trained on a synthetic task is no EMI model, and the
        # provenance says so wherever the bundle is shown.
        "provenance": f"head trained on exported {branch} features for the task: {task}; "
                      f"{history['clips']} labelled clips, {len(history['epochs'])} epochs (emi_ml.train --features)",
        "emotions": list(EMOTIONS),
        "vad": list(VAD),
        "fusion": {branch: 1.0},
        "build": {**build, "training": {k: v for k, v in history.items() if k != "epochs"}, "parity_max_abs": worst},
        branch: {
            "backbone": {"sha256": f.backbone_sha256, "feature_dim": f.dim, "output_rate_hz": f.step_rate_hz},
            "head": {
                "onnx": onnx_name,
                "sha256": sha256_file(out / onnx_name),
                "opset": heads.OPSET,
                "trained": True,
                "segment_seconds": segment_seconds,
                "overlap_seconds": overlap_seconds,
                "input": {"name": heads.INPUT, "shape": ["batch", "steps", f.dim]},
                "outputs": {
                    "emi_steps": {"name": "emi_steps", "shape": ["batch", "steps", 6]},
                    "emi_segment": {"name": "emi_segment", "shape": ["batch", 6]},
                },
                "architecture": model.cfg.as_dict(),
            },
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_head_bundle(path: Path) -> tuple[dict, str, dict]:
    """(manifest, branch, head section) of a head bundle; the head graph's hash is checked."""
    try:
        manifest = json.loads((Path(path) / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise FeatureError(f"{path}: no readable manifest.json ({e})") from None
    branches = [b for b in ("audio", "visual") if isinstance(manifest.get(b), dict) and "head" in manifest[b]]
    if len(branches) != 1:
        raise FeatureError(f"{path}: not a head bundle (expected one branch with a head)")
    head = manifest[branches[0]]["head"]
    if sha256_file(Path(path) / head["onnx"]) != head["sha256"]:
        raise FeatureError(f"{path}/{head['onnx']}: sha256 differs from the manifest's; the bundle was modified")
    return manifest, branches[0], head
