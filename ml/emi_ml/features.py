"""Exported backbone features: one NPZ file per recording (docs/model-bundle.md, "Feature files").

    DIR/<anything>.npz
        features        float16 [steps, dim]   the backbone's per-step features, step i at i / step_rate_hz s
        step_rate_hz    float64 []              steps per second
        backbone_sha256 str     []              the backbone graph's SHA-256 (lower-case hex)
        branch          str     []              audio | visual
        recording_id    str     []              the platform's recording id
        file_name       str     []              the recording's original file name
        participant     str     []              the participant's external id ('' when none)
        valid           bool    [steps]         optional: false where the step has no input (visual: no tracked face)
        aus             float16 [steps, 17]     optional (visual): the action units the head takes beside the features
        segments        int64   [k, 2]          optional: the engine's segments as (first row, steps); rows of
                                                overlapping segments repeat the overlap. Without it: one stream.
        segment_start_seconds float64 [k]       optional: where each segment starts in the recording
        recording_sha256 str    []              optional: the recording's SHA-256 (the cache key's)

Plain `numpy.load(path)` reads it (no pickles: strings are numpy unicode scalars). The platform writes these files
(`GET /v1/studies/{id}/features`, `emi features export`); `write` here writes the same for tests and other sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import dataset

KEYS = ("features", "step_rate_hz", "backbone_sha256", "branch", "recording_id", "file_name", "participant")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FeatureError(ValueError):
    pass


@dataclass(frozen=True)
class FeatureFile:
    path: Path
    features: np.ndarray  # float16 [steps, dim]
    step_rate_hz: float
    backbone_sha256: str
    branch: str
    recording_id: str
    file_name: str
    participant: str
    valid: np.ndarray  # bool [steps]
    aus: np.ndarray | None = None  # float16 [steps, n] (visual), when the file has them
    segments: np.ndarray | None = None  # int64 [k, 2]: (first row, steps) of each of the engine's segments

    @property
    def dim(self) -> int:
        return int(self.features.shape[1])

    def names(self) -> list[str]:
        """What a labels CSV's Filename may say for this recording."""
        stem = Path(self.file_name).stem
        return [n for n in (self.file_name, stem, self.recording_id, self.path.stem) if n]


def write(path: Path, features: np.ndarray, *, step_rate_hz: float, backbone_sha256: str, branch: str,
          recording_id: str, file_name: str, participant: str = "", valid: np.ndarray | None = None,
          aus: np.ndarray | None = None) -> None:
    arrays = {
        "features": np.asarray(features, dtype=np.float16),
        "step_rate_hz": np.float64(step_rate_hz),
        "backbone_sha256": np.str_(backbone_sha256),
        "branch": np.str_(branch),
        "recording_id": np.str_(recording_id),
        "file_name": np.str_(file_name),
        "participant": np.str_(participant),
    }
    if valid is not None:
        arrays["valid"] = np.asarray(valid, dtype=bool)
    if aus is not None:
        arrays["aus"] = np.asarray(aus, dtype=np.float16)
    np.savez(path, **arrays)


def read(path: Path) -> FeatureFile:
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in KEYS if k not in z.files]
            if missing:
                raise FeatureError(f"{path}: not a feature file (missing {', '.join(missing)})")
            feats = z["features"]
            if feats.ndim != 2 or feats.dtype != np.float16:
                raise FeatureError(f"{path}: features must be float16 [steps, dim], found {feats.dtype} {list(feats.shape)}")
            valid = z["valid"] if "valid" in z.files else np.ones(feats.shape[0], dtype=bool)
            if valid.shape != (feats.shape[0],):
                raise FeatureError(f"{path}: valid has shape {list(valid.shape)}, features have {feats.shape[0]} steps")
            aus = z["aus"] if "aus" in z.files else None
            if aus is not None and (aus.ndim != 2 or aus.shape[0] != feats.shape[0]):
                raise FeatureError(f"{path}: aus has shape {list(aus.shape)}, features have {feats.shape[0]} steps")
            segments = z["segments"] if "segments" in z.files else None
            if segments is not None and (segments.ndim != 2 or segments.shape[1] != 2 or len(segments) == 0
                                         or int((segments[:, 0] + segments[:, 1]).max()) > feats.shape[0]
                                         or int(segments.min()) < 0):
                raise FeatureError(f"{path}: segments {segments.tolist()[:3]}… do not fit {feats.shape[0]} rows")
            f = FeatureFile(path, feats, float(z["step_rate_hz"]), str(z["backbone_sha256"]), str(z["branch"]),
                            str(z["recording_id"]), str(z["file_name"]), str(z["participant"]), valid.astype(bool), aus,
                            segments.astype(np.int64) if segments is not None else None)
    except (OSError, ValueError) as e:
        if isinstance(e, FeatureError):
            raise
        raise FeatureError(f"{path}: not a readable NPZ file ({e})") from None
    if not SHA256.match(f.backbone_sha256):
        raise FeatureError(f"{path}: backbone_sha256 {f.backbone_sha256!r} is not a lower-case SHA-256")
    if f.branch not in ("audio", "visual"):
        raise FeatureError(f"{path}: branch {f.branch!r} is neither audio nor visual")
    if not f.step_rate_hz > 0:
        raise FeatureError(f"{path}: step_rate_hz {f.step_rate_hz} is not positive")
    return f


def load_folder(folder: Path, branch: str | None = None) -> list[FeatureFile]:
    """Every feature file of `folder` (of one branch when given), all from one backbone with one width."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FeatureError(f"{folder}: not a directory")
    files = [read(p) for p in sorted(folder.rglob("*.npz"))]
    if branch is not None:
        files = [f for f in files if f.branch == branch]
    if not files:
        raise FeatureError(f"{folder}: no feature files" + (f" of the {branch} branch" if branch else ""))
    kinds = {(f.branch, f.backbone_sha256, f.dim, f.step_rate_hz) for f in files}
    if len(kinds) > 1:
        shown = "; ".join(f"{b} {h[:12]}… dim {d} at {r:g} Hz" for b, h, d, r in sorted(kinds))
        raise FeatureError(f"{folder}: feature files from more than one backbone ({shown}); keep one per folder or pass --branch")
    return files


@dataclass(frozen=True)
class LabelledFeatures:
    name: str
    file: FeatureFile
    labels: np.ndarray  # [6]


def match_labels(files: list[FeatureFile], labels_csv: Path) -> list[LabelledFeatures]:
    """Pairs each labelled row with the feature file its Filename names; every row must find exactly one."""
    rows, problems = dataset.read_label_rows(Path(labels_csv))
    index: dict[str, list[FeatureFile]] = {}
    for f in files:
        for n in set(f.names()):
            index.setdefault(n, []).append(f)
    out = []
    for line, name, values in rows:
        found = index.get(name) or index.get(Path(name).stem) or []
        if not found:
            problems.append(f"{labels_csv.name} line {line}: no feature file for {name!r}")
        elif len(found) > 1:
            problems.append(f"{labels_csv.name} line {line}: {name!r} names {len(found)} feature files "
                            f"({', '.join(f.path.name for f in found[:3])})")
        elif values is not None:
            out.append(LabelledFeatures(name, found[0], values))
    if problems:
        raise FeatureError(f"{labels_csv}: {len(problems)} problem(s):\n  " + "\n  ".join(problems[:dataset.MAX_REPORTED]))
    if not out:
        raise FeatureError(f"{labels_csv}: no clips listed")
    return out
