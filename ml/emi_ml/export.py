"""Export a bundle: manifest.json plus a backbone and a head ONNX graph per branch (contract v2).

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.export --preset tiny --out DIR
    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.export --preset base --name my-lab --version 1.0.0 \\
        --audio-weights runs/1/audio.pt --visual-weights runs/1/visual.pt --out models/my-lab

Without weights the bundle holds deterministic untrained weights and says so ("trained": false).
`--reference` alone regenerates the committed reference bundle and its parity fixtures, bit for
bit: it stands for the arguments in REFERENCE below.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torchaudio
import torchvision

from . import audio as audio_mod
from . import faces
from . import fixtures
from . import graphs
from . import manifest as mf
from . import ort
from . import pretrained
from . import stages
from . import visual as visual_mod
from . import weights
from .config import preset as get_preset

OPSET = 14
DEFAULT_SEED = 1234
PARITY_TOLERANCE = 1e-4
REFERENCE = ["--preset", "tiny", "--name", "reference-tiny", "--version", "0.1.0", "--seed", str(DEFAULT_SEED),
             "--face-detector", "models/reference-tiny/" + faces.DETECTOR_FILE, "--perception", "models/reference-tiny",
             "--out", "models/reference-tiny", "--fixtures", "tests/fixtures/reference-tiny", "--force"]


def export_graph(graph: graphs.Graph, example: tuple, path: Path) -> None:
    graph.module.eval()
    with torch.no_grad(), warnings.catch_warnings():
        # PyTorch 1.13's exporter warns about LSTM batch sizes, shape inference and traced Python
        # checks; the parity checks run other batch sizes and lengths than the traced ones instead.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(graph.module, example, str(path), opset_version=OPSET, input_names=list(graph.inputs),
                          output_names=list(graph.outputs), dynamic_axes=graph.axes, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))


def export_branch(branch: str, model: torch.nn.Module, folder: Path, head_only: bool = False) -> dict[str, Path]:
    """Writes the branch's backbone and head graphs into folder; returns {"backbone": path, "head": path}.
    head_only: the bundle names a pretrained backbone instead (pretrained.py); only the head is exported."""
    model.eval()
    example = model.example_inputs(batch=2, seconds=1.0) if branch == "audio" else model.example_inputs(batch=2, frames=4)
    split = graphs.split_cases(branch, model, [("example", example)])
    paths = {}
    for graph in graphs.graphs(branch, model):
        if head_only and graph.kind == "backbone":
            continue
        paths[graph.kind] = folder / graph.file
        export_graph(graph, split[graph.kind][0][1], paths[graph.kind])
    return paths


def parity(graph: graphs.Graph, onnx_path: Path, cases) -> float:
    """Largest |ONNX Runtime - PyTorch| over one graph's outputs for the given input cases."""
    worst = 0.0
    with ort.Session(onnx_path) as session:
        for inputs in cases:
            with torch.no_grad():
                expected = graph.module(*inputs)
            expected = [t.numpy() for t in (expected if isinstance(expected, tuple) else (expected,))]
            got = session.run(graph.outputs, {n: t.numpy() for n, t in zip(graph.inputs, inputs)})
            for e, g in zip(expected, got):
                if e.shape != g.shape:
                    raise RuntimeError(f"{graph.file}: ONNX Runtime gives shape {g.shape}, PyTorch {e.shape}")
                worst = max(worst, float(np.abs(e - g).max()))
    return worst


def parse_fusion(text: str) -> dict:
    out = {}
    for part in text.split(","):
        k, _, v = part.partition("=")
        if k not in weights.BRANCHES or not v:
            raise argparse.ArgumentTypeError(f"--fusion wants audio=W,visual=W, got {text!r}")
        out[k] = float(v)
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--reference"]:
        argv = [str(mf.REPO_ROOT / a) if a.startswith(("models/", "tests/")) else a for a in REFERENCE]
    ap = argparse.ArgumentParser(prog="python3 -m emi_ml.export", description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="tiny", help="tiny | base | large (default tiny)")
    ap.add_argument("--out", required=True, type=Path, help="bundle directory to write")
    ap.add_argument("--name", help="bundle name (default reference-<preset>)")
    ap.add_argument("--version", default="0.1.0", help="bundle version (semver, default 0.1.0)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the initial weights")
    ap.add_argument("--branches", default="audio,visual", help="which branches to export (default both)")
    ap.add_argument("--audio-weights", type=Path, help="state dict of a trained audio branch")
    ap.add_argument("--visual-weights", type=Path, help="state dict of a trained visual branch")
    ap.add_argument("--face-detector", type=Path,
                    help="BlazeFace ONNX file for the visual branch's face stage (infra/fetch-face-detector.sh fetches it); "
                         "copied into the bundle with its .LICENSE file; without it the branch sees whole frames")
    ap.add_argument("--perception", type=Path, metavar="DIR",
                    help="copy the pretrained stages infra/fetch-speech-model.sh and infra/fetch-perception-models.sh "
                         "wrote to DIR (Silero VAD, FaceMesh, the expression CNN, their licences and provenance) into the "
                         "bundle and declare them: audio.speech, visual.face.landmarks and visual.face.expressions")
    ap.add_argument("--visual-backbone", type=Path, metavar="DIR",
                    help="name ML.NET's pretrained ImageNet ResNet18 (ResNet18.onnx + ResNetPreprocess.onnx, which "
                         "infra/fetch-resnet18.sh writes to DIR) as the visual backbone: copied into the bundle, 224 x 224 "
                         "crops, 512 features; only the visual head is exported")
    ap.add_argument("--backbones-from", type=Path, metavar="BUNDLE",
                    help="reuse BUNDLE's backbone graphs (same files, same SHA-256) and export only new heads: a bundle that "
                         "shares its backbones, whose re-scores run the heads on cached features")
    ap.add_argument("--fusion", type=parse_fusion, help="late-fusion weights, e.g. audio=0.6,visual=0.4")
    ap.add_argument("--fixtures", type=Path, help="also write parity fixtures (inputs + PyTorch outputs) here")
    ap.add_argument("--no-verify", action="store_true", help="skip the ONNX Runtime parity check")
    ap.add_argument("--force", action="store_true", help="replace --out (and --fixtures) if present")
    ap.add_argument("--reference", action="store_true",
                    help="alone: regenerate models/reference-tiny and tests/fixtures/reference-tiny")
    args = ap.parse_args(argv)

    try:
        preset = get_preset(args.preset)
    except ValueError as e:
        ap.error(str(e))
    if args.visual_backbone is not None:
        preset = dataclasses.replace(preset, visual=dataclasses.replace(
            preset.visual, resnet_width=pretrained.RESNET18_FEATURES // 8, image_size=pretrained.RESNET18_IMAGE,
            mean=(0.0, 0.0, 0.0), std=(pretrained.BYTE_STD,) * 3))
    branches = [b.strip() for b in args.branches.split(",") if b.strip()]
    if not branches or any(b not in weights.BRANCHES for b in branches):
        ap.error(f"--branches takes audio and/or visual, got {args.branches!r}")
    name = args.name or f"reference-{preset.name}"
    for target in filter(None, (args.out, args.fixtures)):
        if target.exists() and any(target.iterdir()) and not args.force:
            ap.error(f"{target} exists and is not empty; pass --force to replace it")

    models, meta = {}, {}
    for branch in branches:
        models[branch] = weights.build(branch, preset, args.seed)
        path = getattr(args, f"{branch}_weights")
        if path is not None:
            try:
                meta[branch] = weights.load(path, branch, models[branch])
            except weights.WeightsError as e:
                print(f"error: {e}", file=sys.stderr)
                return 2
            meta[branch].update(file=path.name, sha256=mf.sha256_file(path))
        else:
            meta[branch] = {"trained": False}
        models[branch].eval()

    fusion = dict(preset.fusion_weights)
    fusion.update(args.fusion or {})

    with tempfile.TemporaryDirectory(prefix="emi-export-") as tmp:
        staging = Path(tmp)
        sections = {}
        for branch in branches:
            named = branch == "visual" and args.visual_backbone is not None
            shared = mf.read(args.backbones_from)[branch]["backbone"] if args.backbones_from is not None else None
            paths = export_branch(branch, models[branch], staging, head_only=named or shared is not None)
            if shared is not None:
                for key in ("onnx",) + (("preprocess",) if "preprocess" in shared else ()):
                    file = shared[key] if key == "onnx" else shared[key]["onnx"]
                    shutil.copyfile(args.backbones_from / file, staging / file)
                paths["backbone"] = staging / shared["onnx"]
            if named:
                try:
                    pretrained.copy_resnet18(args.visual_backbone, staging)
                except FileNotFoundError as e:
                    print(f"error: {e}", file=sys.stderr)
                    return 2
                paths["backbone"] = staging / "ResNet18.onnx"
            section = mf.audio_section if branch == "audio" else mf.visual_section
            cfg = preset.audio if branch == "audio" else preset.visual
            extra = {}
            if branch == "visual" and args.face_detector is not None:
                if not args.face_detector.is_file():
                    print(f"error: {args.face_detector} is not a file (infra/fetch-face-detector.sh fetches it)", file=sys.stderr)
                    return 2
                shutil.copyfile(args.face_detector, staging / args.face_detector.name)
                licence = args.face_detector.with_name(args.face_detector.name + ".LICENSE")
                if licence.is_file():
                    shutil.copyfile(licence, staging / licence.name)
                extra["face"] = faces.face_section(args.face_detector, mf.sha256_file(args.face_detector))
            files = {kind: (p.name, mf.sha256_file(p)) for kind, p in paths.items()}
            sections[branch] = section(cfg, files, OPSET, meta[branch]["trained"], **extra)
            if named:
                sections[branch]["backbone"] = pretrained.resnet18_backbone(staging)
            if shared is not None:
                sections[branch]["backbone"] = shared

        for stage_file in stages.FILES if args.perception is not None else ():
            source = args.perception / stage_file
            if not source.is_file():
                print(f"error: {source} is not a file (make models fetches it)", file=sys.stderr)
                return 2
            shutil.copyfile(source, staging / stage_file)
        if args.perception is not None:
            if "audio" in sections:
                sections["audio"]["speech"] = stages.speech_section(staging)
            if "face" in sections.get("visual", {}):
                sections["visual"]["face"].update(stages.perception_sections(staging))

        untrained = f"deterministic random initialisation, seed {args.seed}, preset {preset.name}"
        described = {
            b: ("trained" if m["trained"] else "NOT trained")
            + (f", weights from {m['file']} (sha256 {m['sha256'][:16]}...)" if "file" in m else f", {untrained}")
            for b, m in meta.items()
        }
        if not any("file" in m for m in meta.values()):
            provenance = f"{untrained}; NOT trained - outputs are meaningless"
        else:
            provenance = "; ".join(f"{b}: {d}" for b, d in described.items())
            if not all(m["trained"] for m in meta.values()):
                provenance += " - the untrained parts' outputs are meaningless"
        build = {
            "generator": "emi_ml.export",
            "seed": args.seed,
            "opset": OPSET,
            "toolchain": {"torch": torch.__version__, "torchaudio": torchaudio.__version__,
                          "torchvision": torchvision.__version__, "onnx": onnx.__version__},
            "weights": {b: {k: v for k, v in m.items() if k != "missing_keys"} for b, m in meta.items()},
            "papers": {
                "audio": "Hallmen, Deuser, Oswald, André 2024: Unimodal Multi-Task Fusion for Emotional Mimicry Intensity Prediction",
                "visual": "Yu, Zhu, Zhu 2024: Efficient Feature Extraction and Late Fusion Strategy for Audiovisual Emotional Mimicry Intensity Estimation",
            },
        }
        try:
            manifest = mf.assemble(name=name, version=args.version, preset=preset.name, provenance=provenance,
                                   fusion=fusion, build=build, **sections)
        except mf.ManifestError as e:  # a bad --name, --version or --fusion
            print(f"error: {e}", file=sys.stderr)
            return 2
        mf.write(staging, manifest)

        if not args.no_verify:
            for branch in branches:
                split = graphs.split_cases(branch, models[branch], fixtures.parity_cases(branch, models[branch]))
                for graph in graphs.graphs(branch, models[branch]):
                    if graph.kind == "backbone" and (args.backbones_from is not None or (branch == "visual" and args.visual_backbone is not None)):
                        continue  # not this export's: a shared or pretrained graph, checked by its hash
                    worst = parity(graph, staging / graph.file, [inputs for _, inputs in split[graph.kind]])
                    print(f"{graph.file}: ONNX Runtime {ort.version()} vs PyTorch max |diff| = {worst:.2e}")
                    if worst > PARITY_TOLERANCE:
                        print(f"error: {graph.file} differs from PyTorch by {worst:.2e} > {PARITY_TOLERANCE}", file=sys.stderr)
                        return 1

        if args.out.exists():
            shutil.rmtree(args.out)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, args.out)

    if args.fixtures:
        fixtures.write(args.fixtures, manifest, models)
    print(f"wrote {args.out} ({name} {args.version}, preset {preset.name}, trained={manifest['trained']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
