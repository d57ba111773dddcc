"""Parity fixtures for the converted perception models: inputs, and what TensorFlow.js outputs for them.

    /usr/bin/python3 -m emi_ml.perception_fixtures --tfjs-models DIR --onnx-dir DIR --out tests/fixtures/perception

tools/tfjs-parity/make-fixtures.sh runs this with the models infra/fetch-perception-models.sh fetched
and converted. The inputs are face crops of Debian python3-skimage's public-domain astronaut photo
(NASA), mirrored, and random pixels; the expected outputs come from the original graph models run on
TensorFlow.js's CPU backend in Node (tools/tfjs-parity/run.js), never from our ONNX files. The C#
test PerceptionModelParityTests runs the converted files on ONNX Runtime against them.

Layout: index.json lists the cases; tensors are raw little-endian C-order files, float32 unless the
entry says "dtype": "uint8", which stands for the float32 value byte / 255 (FaceMesh's input is RGB
in [0, 1]; storing the bytes keeps the fixtures small). Emotion's input is grayscale in [-1, 1] made
the way @vladmandic/human makes it: 0.2989 R + 0.5870 G + 0.1140 B of [0, 1] RGB, then (g - 0.5) * 2.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from . import ort

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "tools" / "tfjs-parity" / "run.js"

# The thresholds: probabilities to 1e-4, landmark coordinates (pixels of the 192 crop) to 1e-3.
PROBABILITY_TOLERANCE = 1e-4
PIXEL_TOLERANCE = 1e-3

MODELS = {
    "facemesh": {
        "input": "input_1",
        # public ONNX name -> the tfjs node that computes it (the model.json signature)
        "outputs": {"output_mesh": ("Identity_2", PIXEL_TOLERANCE),
                    "output_faceflag": ("Identity_1", PROBABILITY_TOLERANCE),
                    "output_contours": ("Identity", PIXEL_TOLERANCE)},
    },
    "emotion": {
        "input": "input_1",
        "outputs": {"Identity": ("Identity", PROBABILITY_TOLERANCE)},
    },
}

# Square boxes (top, left, side) in the 512x512 astronaut photo: MediaPipe-like context for FaceMesh,
# a tighter face box (as human crops it) for the expression CNN.
MESH_BOX = (25, 138, 180)
EMOTION_BOX = (50, 163, 130)
GRAY = np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)


def _crop(box: tuple[int, int, int], size: int) -> np.ndarray:
    from skimage import data
    from skimage.transform import resize

    top, left, side = box
    patch = data.astronaut()[top:top + side, left:left + side]
    out = resize(patch, (size, size), order=1, anti_aliasing=True, preserve_range=True)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _to_gray(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(np.float32) / np.float32(255)
    return ((x * GRAY).sum(axis=-1, keepdims=True, dtype=np.float32) - np.float32(0.5)) * np.float32(2)


def cases() -> list[dict]:
    """Named inputs per model. uint8 arrays are pixels (value / 255); float32 arrays are fed as they are."""
    rng = np.random.default_rng(22)
    face = _crop(MESH_BOX, 192)
    mesh = [
        {"name": "facemesh-astronaut", "model": "facemesh", "x": face[None]},
        {"name": "facemesh-mirrored-and-random-b2", "model": "facemesh",
         "x": np.stack([face[:, ::-1], rng.integers(0, 256, size=(192, 192, 3), dtype=np.uint8)])},
    ]
    small = _crop(EMOTION_BOX, 64)
    emotion = [
        {"name": "emotion-astronaut", "model": "emotion", "x": _to_gray(small)[None]},
        {"name": "emotion-mirrored-and-random-b3", "model": "emotion",
         "x": np.stack([_to_gray(small[:, ::-1]),
                        rng.uniform(-1, 1, size=(64, 64, 1)).astype(np.float32),
                        _to_gray(rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8))])},
    ]
    return mesh + emotion


def as_float(x: np.ndarray) -> np.ndarray:
    """What a stored input means: bytes are pixels / 255 (in float32, as the C# test divides)."""
    return x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make(tfjs_models: Path, onnx_dir: Path, out: Path) -> dict:
    """Writes the fixtures and returns the index; also prints ONNX Runtime's max |diff| per output."""
    all_cases = cases()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    index: dict = {
        "note": "expected outputs are TensorFlow.js's (CPU backend) for the original graph models; "
                "written by tools/tfjs-parity/make-fixtures.sh",
        "byte_order": "little",
        "models": {},
        "cases": [],
    }
    with tempfile.TemporaryDirectory(prefix="tfjs-parity-") as tmp:
        tmp = Path(tmp)
        for model, spec in MODELS.items():
            job_cases = []
            for c in (c for c in all_cases if c["model"] == model):
                raw = tmp / f"{c['name']}.input.f32"
                raw.write_bytes(as_float(c["x"]).tobytes())
                job_cases.append({"name": c["name"], "input": str(raw), "shape": list(c["x"].shape), "out_dir": str(tmp)})
            job = {"model": str(tfjs_models / f"{model}.json"),
                   "outputs": [{"name": k, "node": v[0]} for k, v in spec["outputs"].items()],
                   "cases": job_cases}
            (tmp / f"{model}.job.json").write_text(json.dumps(job))
            run = subprocess.run(["node", str(RUNNER), str(tmp / f"{model}.job.json")], check=True,
                                 capture_output=True, text=True, cwd=RUNNER.parent)
            report = json.loads(run.stdout.strip().splitlines()[-1])
            index["tfjs"] = {"version": report["tfjs"], "backend": report["backend"]}
            onnx_file = onnx_dir / f"{model}.onnx"
            index["models"][model] = {"file": onnx_file.name, "sha256": _sha256(onnx_file), "input": spec["input"],
                                      "tfjs_sha256": {p.name: _sha256(p) for p in
                                                      (tfjs_models / f"{model}.json", tfjs_models / f"{model}.bin")}}
            for c in (c for c in all_cases if c["model"] == model):
                entry = {"name": c["name"], "model": model,
                         "input": {"file": f"{c['name']}.input.bin", "shape": list(c["x"].shape),
                                   "dtype": "uint8" if c["x"].dtype == np.uint8 else "float32"},
                         "outputs": {}}
                (out / entry["input"]["file"]).write_bytes(np.ascontiguousarray(c["x"]).tobytes())
                for name, (_, tolerance) in spec["outputs"].items():
                    file = f"{c['name']}.{name}.bin"
                    shutil.copyfile(tmp / f"{c['name']}.{name}.f32", out / file)
                    entry["outputs"][name] = {"file": file, "shape": report["cases"][c["name"]]["shapes"][name],
                                              "tolerance": tolerance}
                index["cases"].append(entry)
    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    return index


def onnx_runtime_diffs(fixtures: Path, onnx_dir: Path) -> dict[str, dict[str, float]]:
    """max |ONNX Runtime - TensorFlow.js| per case and output (the C# test asserts the same)."""
    index = json.loads((fixtures / "index.json").read_text())
    result = {}
    for c in index["cases"]:
        spec = index["models"][c["model"]]
        x = np.fromfile(fixtures / c["input"]["file"], dtype=np.dtype(c["input"]["dtype"]).newbyteorder("<"))
        x = as_float(x.reshape(c["input"]["shape"]))
        names = list(c["outputs"])
        with ort.Session(onnx_dir / spec["file"]) as session:
            got = session.run(names, {spec["input"]: x})
        result[c["name"]] = {}
        for name, value in zip(names, got):
            o = c["outputs"][name]
            want = np.fromfile(fixtures / o["file"], dtype="<f4").reshape(o["shape"])
            result[c["name"]][name] = float(np.abs(value - want).max())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m emi_ml.perception_fixtures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tfjs-models", type=Path, required=True, help="folder with facemesh.json/.bin and emotion.json/.bin")
    parser.add_argument("--onnx-dir", type=Path, required=True, help="folder with the converted facemesh.onnx and emotion.onnx")
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "perception")
    args = parser.parse_args(argv)
    make(args.tfjs_models, args.onnx_dir, args.out)
    print(f"perception_fixtures: {args.out}")
    try:
        diffs = onnx_runtime_diffs(args.out, args.onnx_dir)
    except ort.OrtError as e:  # the fixtures stand; the C# test checks them on the next build
        print(f"perception_fixtures: ONNX Runtime not available here ({e}); no figures printed")
        return 0
    for case, outputs in diffs.items():
        print(f"  {case}: " + ", ".join(f"{k} max|diff| {v:.2e}" for k, v in outputs.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
