"""Building, validating and reading bundle manifests (docs/model-bundle.md)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema

from . import EMOTIONS
from .audio import OUTPUTS as AUDIO_OUTPUTS
from .audio import VAD
from .config import AudioConfig, VisualConfig, as_dict

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "docs" / "model-bundle.schema.json"
MANIFEST = "manifest.json"
SCHEMA_VERSION = 2
V1_HINT = ("schema_version 1 (one graph per branch) is no longer read; re-export the bundle as v2 (a backbone and "
           "a head graph per branch) with `PYTHONPATH=ml /usr/bin/python3 -m emi_ml.export --preset P --out DIR "
           "[--audio-weights ... --visual-weights ...]` from the same weights (docs/model-bundle.md, \"From v1 to v2\")")


class ManifestError(ValueError):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def validate(manifest: dict) -> None:
    """Raises ManifestError naming the first offending field."""
    if isinstance(manifest, dict) and manifest.get("schema_version") == 1:
        raise ManifestError(f"manifest.json: {V1_HINT}")
    try:
        jsonschema.Draft7Validator(schema()).validate(manifest)
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        raise ManifestError(f"manifest.json {where}: {e.message}") from None
    for branch in ("audio", "visual"):
        if (section := manifest.get(branch)) is None:
            continue
        produced = section["backbone"]["output"]["shape"][1 if branch == "visual" else 2]
        taken = section["head"]["inputs"]["features"]["shape"][2]
        if produced != taken:
            raise ManifestError(f"manifest.json {branch}/head/inputs/features: takes {taken} features per step, but the "
                                f"backbone gives {produced} ({branch}.backbone.output.shape "
                                f"{section['backbone']['output']['shape']}, head {section['head']['inputs']['features']['shape']})")
    visual = manifest.get("visual") or {}
    au = (visual.get("face") or {}).get("action_unit_model")
    if au is not None:
        h, w = au["image_size"]
        if au["input"]["shape"][2:] != [h, w]:
            raise ManifestError(f"manifest.json visual/face/action_unit_model/input: shape {au['input']['shape']} "
                                f"is not ['batch', 3, {h}, {w}] (NCHW RGB of its image_size)")
        width = au["output"]["shape"][1]
        if width != visual["action_units"]:
            raise ManifestError(f"manifest.json visual/face/action_unit_model/output: gives {width} action units per face "
                                f"crop, but the visual branch's AU input (visual.action_units) takes {visual['action_units']}")


def _graph(files: dict, kind: str, opset: int, trained: bool, **tensors) -> dict:
    name, sha256 = files[kind]
    return {"onnx": name, "sha256": sha256, "opset": opset, "trained": trained, **tensors}


def _tensor(name: str, shape: list) -> dict:
    return {"name": name, "shape": shape}


def audio_section(cfg: AudioConfig, files: dict, opset: int, trained: bool) -> dict:
    """files: {"backbone": (file, sha256), "head": (file, sha256)}."""
    d = cfg.embed_dim
    return {
        "trained": trained,
        "sample_rate": cfg.sample_rate,
        "segment_seconds": cfg.segment_seconds,
        "overlap_seconds": cfg.overlap_seconds,
        "output_rate_hz": cfg.sample_rate / cfg.step_samples,
        "step_samples": cfg.step_samples,
        "receptive_field_samples": cfg.receptive_field_samples,
        # A backbone trained for EMI is not what makes a bundle trained: its heads are (docs/model-bundle.md).
        "backbone": _graph(files, "backbone", opset, False,
                           input=_tensor("waveform", ["batch", "samples"]),
                           output=_tensor("features", ["batch", "steps", d])),
        "head": _graph(files, "head", opset, trained,
                       inputs={"features": _tensor("features", ["batch", "steps", d])},
                       outputs={name: _tensor(name, shape) for name, shape in zip(
                           AUDIO_OUTPUTS, (["batch", "steps", 6], ["batch", 6], ["batch", "steps", 3], ["batch", 3]))}),
        "architecture": as_dict(cfg),
    }


def visual_section(cfg: VisualConfig, files: dict, opset: int, trained: bool, face: dict | None = None) -> dict:
    s, d, a = cfg.image_size, cfg.feature_dim, len(cfg.action_units)
    return {
        "trained": trained,
        "frame_rate": cfg.frame_rate,
        "output_rate_hz": cfg.frame_rate,
        "segment_seconds": cfg.segment_seconds,
        "overlap_seconds": cfg.overlap_seconds,
        "image_size": [s, s],
        "pixel_format": "rgb24",
        "mean": list(cfg.mean),
        "std": list(cfg.std),
        "action_units": a,
        "action_unit_names": list(cfg.action_units),
        "action_unit_max": cfg.au_max,
        "backbone": _graph(files, "backbone", opset, False,
                           input=_tensor("frames", ["batch", 3, s, s]),
                           output=_tensor("features", ["batch", d])),
        "head": _graph(files, "head", opset, trained,
                       inputs={"features": _tensor("features", ["batch", "time", d]),
                               "aus": _tensor("aus", ["batch", "time", a])},
                       outputs={"emi_steps": _tensor("emi_steps", ["batch", "time", 6]),
                                "emi_segment": _tensor("emi_segment", ["batch", 6])}),
        **({"face": face} if face is not None else {}),
        "architecture": as_dict(cfg),
    }


def assemble(*, name, version, preset, provenance, fusion, build, audio=None, visual=None) -> dict:
    branches = {k: v for k, v in (("audio", audio), ("visual", visual)) if v is not None}
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "version": version,
        "trained": all(b["trained"] for b in branches.values()),
        "provenance": provenance,
        "emotions": list(EMOTIONS),
        "vad": list(VAD),
        "fusion": {k: fusion[k] for k in branches},
        "preset": preset,
        "build": build,
        **branches,
    }
    validate(manifest)
    return manifest


def write(bundle_dir: Path, manifest: dict) -> None:
    (bundle_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def hint_for(graph: dict) -> str:
    return f" ({graph['fetch']} fetches it)" if "fetch" in graph else ""


def read(bundle_dir: Path, verify_hashes: bool = True) -> dict:
    path = Path(bundle_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(f"{path}: no manifest.json; is this a model bundle directory?") from None
    except json.JSONDecodeError as e:
        raise ManifestError(f"{path}: not JSON ({e})") from None
    validate(manifest)
    def require(key: str, name: str, sha256: str | None, hint: str = "") -> None:
        """A file the manifest names at `key` is in the bundle and, when a hash is given, is the file it names."""
        file = Path(bundle_dir) / name
        if not file.is_file():
            raise ManifestError(f"{path}: {key} names {name}, which is not in the bundle{hint}")
        if verify_hashes and sha256 is not None and sha256_file(file) != sha256:
            raise ManifestError(f"{file}: sha256 differs from the manifest's; the bundle was modified")

    for branch in ("audio", "visual"):
        section = manifest.get(branch)
        if section is None:
            continue
        for kind in ("backbone", "head"):
            graph = section[kind]
            require(f"{branch}.{kind}.onnx", graph["onnx"], graph["sha256"], hint_for(graph))
            if (pre := graph.get("preprocess")) is not None:
                require(f"{branch}.{kind}.preprocess.onnx", pre["onnx"], pre["sha256"], hint_for(graph))
        face = section.get("face")
        if face is not None:
            require("visual.face.detector", face["detector"], face["sha256"],
                    " (infra/fetch-face-detector.sh fetches the reference bundle's)")
            if (au := face.get("action_unit_model")) is not None:
                require("visual.face.action_unit_model.onnx", au["onnx"], au["sha256"])
            for key in ("landmarks", "expressions"):
                if (model := face.get(key)) is not None:
                    require(f"visual.face.{key}.file", model["file"], model["sha256"],
                            " (infra/fetch-perception-models.sh fetches the reference bundle's)")
        if (speech := section.get("speech")) is not None:
            require("audio.speech.file", speech["file"], speech["sha256"],
                    " (infra/fetch-speech-model.sh fetches the reference bundle's)")
    return manifest
