"""Parity fixtures: input tensors and the PyTorch outputs for them, for the C# engine's tests.

Layout (docs/model-bundle.md, "Parity fixtures"): index.json lists cases; every tensor is a raw
little-endian float32 file, C-order, with its shape in the index.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import torch

from . import graphs
from . import visual as visual_mod

TOLERANCE = 1e-4


def _waveform(rows: int, samples: int, seed: int) -> torch.Tensor:
    """Speech-like test signal: a few harmonics with a wandering pitch, plus noise, in [-1, 1]."""
    g = np.random.default_rng(seed)
    t = np.arange(samples) / 16000.0
    out = []
    for _ in range(rows):
        f0 = g.uniform(90, 250) * (1 + 0.1 * np.sin(2 * np.pi * g.uniform(0.5, 3) * t))
        phase = 2 * np.pi * np.cumsum(f0) / 16000.0
        x = sum(np.sin(k * phase) / k for k in range(1, 6)) * 0.2 + g.normal(0, 0.02, samples)
        out.append(x)
    return torch.from_numpy(np.clip(np.stack(out), -1, 1).astype(np.float32))


def _frames(model: visual_mod.VisualBranch, batch: int, time: int, seed: int) -> torch.Tensor:
    """Random RGB pixels normalised the way the manifest tells the engine to."""
    g = np.random.default_rng(seed)
    s = model.cfg.image_size
    pixels = g.integers(0, 256, size=(batch, time, 3, s, s)).astype(np.float32) / 255.0
    mean = np.array(model.cfg.mean, dtype=np.float32).reshape(1, 1, 3, 1, 1)
    std = np.array(model.cfg.std, dtype=np.float32).reshape(1, 1, 3, 1, 1)
    return torch.from_numpy((pixels - mean) / std)


def _aus(model: visual_mod.VisualBranch, batch: int, time: int, seed: int | None) -> torch.Tensor:
    n = len(model.cfg.action_units)
    if seed is None:  # no AU extractor: the engine's case
        return torch.zeros(batch, time, n)
    g = np.random.default_rng(seed)
    return torch.from_numpy(g.uniform(0, model.cfg.au_max, size=(batch, time, n)).astype(np.float32))


def parity_cases(branch: str, model) -> list[tuple[str, tuple[torch.Tensor, ...]]]:
    """Named input cases: several batch sizes and lengths, an odd length among them."""
    if branch == "audio":
        return [
            ("audio-b2-1s", (_waveform(2, 16000, 1),)),
            ("audio-b1-odd", (_waveform(1, 7999, 2),)),
        ]
    return [
        ("visual-b1-t4-no-aus", (_frames(model, 1, 4, 3), _aus(model, 1, 4, None))),
        ("visual-b2-t2-aus", (_frames(model, 2, 2, 4), _aus(model, 2, 2, 5))),
    ]


def write(out: Path, manifest: dict, models: dict) -> None:
    """One case per graph and input case: the backbone on the media, the head on the backbone's features."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    cases = []
    for branch, model in models.items():
        model.eval()
        split = graphs.split_cases(branch, model, parity_cases(branch, model))
        for graph in graphs.graphs(branch, model):
            for name, inputs in split[graph.kind]:
                with torch.no_grad():
                    outputs = graph.module(*inputs)
                outputs = outputs if isinstance(outputs, tuple) else (outputs,)
                case_name = f"{name}.{graph.kind}"
                case = {"name": case_name, "branch": branch, "graph": graph.kind, "inputs": {}, "outputs": {}}
                for kind, names, tensors in (("inputs", graph.inputs, inputs), ("outputs", graph.outputs, outputs)):
                    for tensor_name, t in zip(names, tensors):
                        file = f"{case_name}.{tensor_name}.bin"
                        arr = np.ascontiguousarray(t.numpy(), dtype="<f4")
                        (out / file).write_bytes(arr.tobytes())
                        case[kind][tensor_name] = {"file": file, "shape": list(arr.shape)}
                cases.append(case)
    index = {
        "bundle": manifest["name"],
        "version": manifest["version"],
        "bundle_sha256": {b: {k: manifest[b][k]["sha256"] for k in ("backbone", "head")} for b in models},
        "dtype": "float32",
        "byte_order": "little",
        "tolerance": TOLERANCE,
        "note": "inputs are fed to the bundle's ONNX graphs (case.graph of case.branch) as they are; outputs are PyTorch's for the same weights",
        "cases": cases,
    }
    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n")


def read_case(folder: Path, case: dict) -> tuple[dict, dict]:
    def load(spec):
        return np.fromfile(folder / spec["file"], dtype="<f4").reshape(spec["shape"])
    return ({k: load(v) for k, v in case["inputs"].items()}, {k: load(v) for k, v in case["outputs"].items()})
