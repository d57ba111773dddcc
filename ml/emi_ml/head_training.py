"""Training a branch's head on exported features and writing it as a lab's head bundle (`emi_ml.train --features`).

The backbone never runs here: its per-step features come from the platform's feature cache (feature files, see
emi_ml.features), so a lab retrains heads in seconds on what the platform already computed. The head is the bundle
contract v2's reference head graph of that branch (audio: features ⊕ global mean → LSTM → EMI, with the VAD head;
visual: LayerNorm ⊕ AUs → TCN → Transformer → EMI), built with the architecture of the platform bundle whose backbone
made the features (`--base-bundle`). The bundle written is that bundle's manifest with the new head: it names the
backbone and the other stages by hash and ships the head graph only, which is what `POST /v1/bundles` accepts.
"""

from __future__ import annotations

import copy
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from . import graphs, metrics
from . import manifest as mf
from .audio import AudioBranch
from .config import audio_from_dict, visual_from_dict
from .export import OPSET, PARITY_TOLERANCE, export_graph, parity
from .features import FeatureError, LabelledFeatures
from .visual import VisualBranch

BRANCHES = ("audio", "visual")


class HeadTrainingError(ValueError):
    pass


def read_base(bundle_dir: Path) -> dict:
    """The platform bundle's manifest (its graph files need not be here: only their hashes are used)."""
    try:
        manifest = json.loads((Path(bundle_dir) / mf.MANIFEST).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise HeadTrainingError(f"{bundle_dir}: no readable manifest.json ({e})") from None
    try:
        mf.validate(manifest)
    except mf.ManifestError as e:
        raise HeadTrainingError(f"{bundle_dir}: {e}") from None
    return manifest


def build_head(branch: str, section: dict, seed: int) -> torch.nn.Module:
    """The branch at the base bundle's architecture; its backbone is never run, the head starts from `seed`."""
    torch.manual_seed(seed + BRANCHES.index(branch))
    if branch == "audio":
        return AudioBranch(audio_from_dict(section["architecture"]))
    return VisualBranch(visual_from_dict(section["architecture"]))


def segment_steps(section: dict) -> int:
    return max(1, int(round(section["segment_seconds"] * section["output_rate_hz"])))


def clip_inputs(item: LabelledFeatures, seg_steps: int, action_units: int) -> list[tuple[tuple[torch.Tensor, ...], torch.Tensor]]:
    """A clip's head inputs as batches of equal-length segments ([k, L, ...]) with their valid masks ([k, L]): the
    engine's own segments when the file names them (serving runs the head on exactly those), else the stream cut into
    equal segments of at most seg_steps steps."""
    f = item.file
    x = f.features.astype(np.float32)
    aus = None
    if f.branch == "visual":
        aus = f.aus.astype(np.float32) if f.aus is not None else np.zeros((x.shape[0], action_units), np.float32)
    if f.segments is not None:
        spans = [(int(a), int(n)) for a, n in f.segments]
    else:
        k = math.ceil(x.shape[0] / seg_steps)
        length = x.shape[0] // k
        spans = [(i * length, length) for i in range(k)]
    batches = []
    for length in sorted({n for _, n in spans}):
        rows = [a for a, n in spans if n == length]
        stack = lambda arr: torch.from_numpy(np.stack([arr[a:a + length] for a in rows]))  # noqa: E731
        inputs = (stack(x),) if aus is None else (stack(x), stack(aus))
        batches.append((inputs, stack(f.valid)))
    return batches


def head_outputs(branch: str, model, inputs) -> tuple[torch.Tensor, torch.Tensor]:
    """(emi_steps, emi_segment) of the head graph."""
    if branch == "audio":
        return model.head_graph(*inputs)[:2]
    return model.heads(*inputs)


def clip_prediction(branch: str, model, batches) -> torch.Tensor | None:
    """As serving fuses a clip: the mean of its segments' emi_segment; with invalid steps (no face), the mean of
    emi_steps over the valid steps only; None when no step is valid."""
    outputs = [(head_outputs(branch, model, inputs), valid) for inputs, valid in batches]
    if all(bool(v.all()) for _, v in outputs):
        return torch.cat([segment for (_, segment), _ in outputs]).mean(dim=0)
    valid_steps = [steps[v] for (steps, _), v in outputs if bool(v.any())]
    if not valid_steps:
        return None
    return torch.cat(valid_steps).mean(dim=0)


def check_features(items: list[LabelledFeatures], base: dict) -> tuple[str, dict]:
    first = items[0].file
    section = base.get(first.branch)
    if section is None:
        raise HeadTrainingError(f"the base bundle has no {first.branch} branch")
    backbone = section["backbone"]
    if backbone["sha256"] != first.backbone_sha256:
        raise HeadTrainingError(f"the features come from backbone {first.backbone_sha256}, the base bundle's {first.branch} "
                                f"backbone is {backbone['sha256']}; pass the bundle whose backbone made them (--base-bundle)")
    width = backbone["output"]["shape"][-1]
    if width != first.dim:
        raise HeadTrainingError(f"the features are {first.dim} wide, backbone {backbone['sha256']} gives {backbone['output']['shape']}")
    return first.branch, section


def train(items: list[LabelledFeatures], base: dict, *, epochs: int, lr: float, seed: int, batch_size: int,
          log=print) -> tuple[torch.nn.Module, dict]:
    branch, section = check_features(items, base)
    usable = [i for i in items if bool(i.file.valid.any())]
    if len(usable) < 2:
        raise HeadTrainingError(f"{len(usable)} labelled clip(s) with valid steps; Pearson ρ needs at least 2")
    model = build_head(branch, section, seed)
    seg = segment_steps(section)
    cache = [clip_inputs(i, seg, section.get("action_units", 0)) for i in usable]
    targets = torch.from_numpy(np.stack([i.labels for i in usable]))
    for name, p in model.named_parameters():
        p.requires_grad_(not name.startswith(model.frozen_prefixes))
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    generator = torch.Generator().manual_seed(seed)

    def full_loss() -> float:
        model.eval()
        with torch.no_grad():
            return float(metrics.loss(torch.stack([clip_prediction(branch, model, c) for c in cache]), targets))

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
            pred = torch.stack([clip_prediction(branch, model, cache[i]) for i in batch])
            loss = metrics.loss(pred, targets[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss))
        history["epochs"].append(float(np.mean(losses)))
        if epoch == epochs or epoch % max(1, epochs // 10) == 0:
            log(f"{branch} head: epoch {epoch}/{epochs} loss {history['epochs'][-1]:.4f}")
    model.eval()
    for p in model.parameters():
        p.requires_grad_(True)
    history.update(final_loss=full_loss(), clips=len(usable), seconds=round(time.monotonic() - started, 2),
                   segment_steps=seg, skipped_without_valid_steps=[i.name for i in items if not bool(i.file.valid.any())])
    return model, history


def export_bundle(model, base: dict, branch: str, out: Path, *, name: str, version: str, task: str,
                  history: dict, build: dict) -> dict:
    """Writes OUT/manifest.json and OUT/<branch>-head.onnx; returns the manifest."""
    section = copy.deepcopy(base[branch])
    head_graph = graphs.graphs(branch, model)[1]
    out.mkdir(parents=True, exist_ok=True)
    path = out / head_graph.file
    d = section["backbone"]["output"]["shape"][-1]
    g = torch.Generator().manual_seed(0)
    if branch == "audio":
        example = (torch.randn(2, 5, d, generator=g),)
        cases = [(torch.randn(1, 7, d, generator=g),), (torch.randn(3, 16, d, generator=g),)]
    else:
        a = section["action_units"]
        example = (torch.randn(2, 5, d, generator=g), torch.zeros(2, 5, a))
        cases = [(torch.randn(1, 7, d, generator=g), torch.rand(1, 7, a, generator=g)),
                 (torch.randn(3, 16, d, generator=g), torch.zeros(3, 16, a))]
    export_graph(head_graph, example, path)
    worst = parity(head_graph, path, cases)
    if worst > PARITY_TOLERANCE:
        raise HeadTrainingError(f"{path.name}: ONNX Runtime differs from PyTorch by {worst:.2e} (> {PARITY_TOLERANCE})")
    section["head"] = {**section["head"], "onnx": path.name, "sha256": mf.sha256_file(path), "opset": OPSET, "trained": True}
    section["trained"] = True
    manifest = {
        "schema_version": base["schema_version"],
        "name": name,
        "version": version,
        "trained": True,
        # What the head was trained for, in words: a head trained on a synthetic task is no EMI model, and the
        # provenance says so wherever the bundle is shown.
        "provenance": f"head trained on exported {branch} features for the task: {task}; {history['clips']} labelled "
                      f"clips, {len(history['epochs'])} epochs (emi_ml.train --features); backbone "
                      f"{section['backbone']['sha256'][:12]} from {base['name']} {base['version']}",
        "emotions": base["emotions"],
        "vad": base["vad"],
        "fusion": {branch: 1.0},
        **({"preset": base["preset"]} if "preset" in base else {}),
        "build": {**build, "task": task, "base_bundle": f"{base['name']} {base['version']}",
                  "training": {k: v for k, v in history.items() if k != "epochs"}, "parity_max_abs": worst},
        branch: section,
    }
    try:
        mf.validate(manifest)
    except mf.ManifestError as e:
        raise HeadTrainingError(str(e)) from None
    mf.write(out, manifest)
    return manifest


def read_head_bundle(path: Path) -> tuple[dict, str, dict]:
    """(manifest, branch, branch section) of a head bundle; the head graph must be there and match its hash."""
    try:
        manifest = json.loads((Path(path) / mf.MANIFEST).read_text())
        mf.validate(manifest)
    except (OSError, json.JSONDecodeError, mf.ManifestError) as e:
        raise FeatureError(f"{path}: not a readable bundle manifest ({e})") from None
    branches = [b for b in BRANCHES if b in manifest]
    if len(branches) != 1:
        raise FeatureError(f"{path}: a head bundle has one branch, this one has {len(branches)}")
    section = manifest[branches[0]]
    head = Path(path) / section["head"]["onnx"]
    if not head.is_file() or mf.sha256_file(head) != section["head"]["sha256"]:
        raise FeatureError(f"{head}: missing, or its sha256 differs from the manifest's")
    return manifest, branches[0], section
