"""Action-unit models for the face stage (docs/model-bundle.md, "Action-unit model").

No pretrained AU extractor is reachable from our build machines, so the reference bundle ships none and its AU
input is zeros. This module writes a bundle's `visual.face.action_unit_model` section and builds a small,
deterministic stand-in graph that the tests use to prove an AU model's values reach the visual branch. The stand-in
is NOT an AU extractor: its "intensities" are a fixed function of the crop's colours.

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.au_model --bundle DIR [--image-size 32] [--action-units N]
    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.au_model --bundle DIR --onnx au.onnx --source "..." --image-size 112 \
        [--input-name crop] [--output-name aus] [--mean R G B] [--std R G B]

The first adds the stand-in to the bundle in DIR (`au_test.onnx`); the second a lab's own model, which must take
[batch, 3, S, S] planar RGB normalised with --mean/--std and give [batch, action_units] in 0..action_unit_max in the
order of the branch's action_unit_names. Either copies the file into DIR and writes the manifest section; the
bundle then needs a new version.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import torch
from torch import nn

from . import manifest as mf

TEST_FILE = "au_test.onnx"
TEST_SOURCE = "emi_ml.au_model stand-in (fixed function of the crop's colours, seed 1234); NOT an action-unit extractor"
OPSET = 14


class StandIn(nn.Module):
    """[batch, 3, H, W] -> [batch, n]: per-channel means and a 2x2 grid of means, a fixed linear map and a sigmoid
    scaled to 0..au_max, so each output depends on where colours are in the crop."""

    def __init__(self, action_units: int, au_max: float, seed: int = 1234):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.linear = nn.Linear(3 * 4, action_units)
        with torch.no_grad():
            self.linear.weight.copy_(torch.randn(action_units, 12, generator=g))
            self.linear.bias.copy_(torch.randn(action_units, generator=g) * 0.1)
        self.au_max = au_max

    def forward(self, crop):
        return torch.sigmoid(self.linear(self.pool(crop).flatten(1))) * self.au_max


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def section(onnx_file: str, sha256: str, source: str, image_size: int, action_units: int, mean=IMAGENET_MEAN,
            std=IMAGENET_STD, input_name: str = "crop", output_name: str = "aus") -> dict:
    return {
        "onnx": onnx_file, "sha256": sha256, "source": source,
        "image_size": [image_size, image_size], "mean": list(mean), "std": list(std),
        "input": {"name": input_name, "shape": ["batch", 3, image_size, image_size]},
        "output": {"name": output_name, "shape": ["batch", action_units]},
    }


def build_stand_in(path: Path, action_units: int, au_max: float, image_size: int) -> None:
    model = StandIn(action_units, au_max).eval()
    example = torch.zeros(1, 3, image_size, image_size)
    torch.onnx.export(model, (example,), str(path), input_names=["crop"], output_names=["aus"],
                      dynamic_axes={"crop": {0: "batch"}, "aus": {0: "batch"}}, opset_version=OPSET)


def _face_visual(bundle_dir: Path) -> tuple[dict, dict]:
    manifest = mf.read(bundle_dir)
    visual = manifest.get("visual")
    if not visual or "face" not in visual:
        raise mf.ManifestError(f"{bundle_dir}: an action-unit model runs on face crops; the bundle has no face stage")
    return manifest, visual


def add_stand_in(bundle_dir: Path, image_size: int = 32, action_units: int | None = None) -> dict:
    """Adds the stand-in AU model to a bundle with a face stage; `action_units` other than the branch's makes a
    bundle every reader must refuse (what the tests check)."""
    manifest, visual = _face_visual(bundle_dir)
    n = visual["action_units"] if action_units is None else action_units
    build_stand_in(bundle_dir / TEST_FILE, n, visual["action_unit_max"], image_size)
    visual["face"]["action_unit_model"] = section(TEST_FILE, mf.sha256_file(bundle_dir / TEST_FILE), TEST_SOURCE, image_size, n)
    mf.write(bundle_dir, manifest)
    return manifest


def add_model(bundle_dir: Path, onnx_path: Path, source: str, image_size: int, mean, std, input_name: str,
              output_name: str) -> dict:
    """Adds a lab's AU model; the manifest is validated (its width is the branch's) before it is written."""
    manifest, visual = _face_visual(bundle_dir)
    target = bundle_dir / onnx_path.name
    if target.resolve() != onnx_path.resolve():
        shutil.copyfile(onnx_path, target)
    visual["face"]["action_unit_model"] = section(target.name, mf.sha256_file(target), source, image_size,
                                                  visual["action_units"], mean, std, input_name, output_name)
    mf.validate(manifest)
    mf.write(bundle_dir, manifest)
    return manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m emi_ml.au_model", description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", required=True, type=Path, help="bundle directory with a face stage (changed in place)")
    ap.add_argument("--onnx", type=Path, help="a lab's AU model (default: the test stand-in)")
    ap.add_argument("--source", help="where --onnx comes from: package or training run, version, licence")
    ap.add_argument("--image-size", type=int, default=32)
    ap.add_argument("--mean", type=float, nargs=3, default=IMAGENET_MEAN)
    ap.add_argument("--std", type=float, nargs=3, default=IMAGENET_STD)
    ap.add_argument("--input-name", default="crop")
    ap.add_argument("--output-name", default="aus")
    ap.add_argument("--action-units", type=int, help="stand-in only: output width (default the branch's; another is refused on read)")
    args = ap.parse_args(argv)
    try:
        if args.onnx is None:
            add_stand_in(args.bundle, args.image_size, args.action_units)
        else:
            if not args.source:
                ap.error("--onnx needs --source")
            add_model(args.bundle, args.onnx, args.source, args.image_size, args.mean, args.std, args.input_name,
                      args.output_name)
    except mf.ManifestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
