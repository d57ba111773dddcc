"""A labelled folder laid out like the EMI challenge data: media files plus a CSV of the six
intensities per clip.

    DIR/labels.csv          Filename,Admiration,Amusement,Determination,Empathic Pain,Excitement,Joy
    DIR/<Filename>          a video (with or without sound) or an audio file

`Filename` may be a path relative to DIR, or a stem (`00042`) naming one media file anywhere under
DIR, as the challenge CSVs do. Extra columns (a split, a speaker id) are ignored. The CSV is the
only .csv in DIR, or named with --labels.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import EMOTIONS
from .media import MediaError, probe

MEDIA_SUFFIXES = {".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".wav", ".mp3", ".flac", ".m4a", ".ogg", ".opus", ".aac"}
FILENAME_COLUMNS = ("filename", "file", "clip", "name")
MAX_REPORTED = 10


class DatasetError(ValueError):
    """A labelled folder that cannot be used; the message lists every problem found (up to 10)."""


@dataclass(frozen=True)
class Clip:
    name: str  # as written in the CSV
    path: Path
    labels: np.ndarray  # [6] in EMOTIONS order, each in [0, 1]
    has_audio: bool
    has_video: bool


def _find_csv(folder: Path, labels: Path | None) -> Path:
    if labels is not None:
        path = labels if labels.is_absolute() or labels.exists() else folder / labels
        if not path.is_file():
            raise DatasetError(f"{path}: labels CSV not found")
        return path
    csvs = sorted(folder.glob("*.csv"))
    if len(csvs) == 1:
        return csvs[0]
    if not csvs:
        raise DatasetError(f"{folder}: no labels CSV (expected one .csv with a Filename column and the six emotions)")
    raise DatasetError(f"{folder}: several CSV files ({', '.join(p.name for p in csvs)}); name one with --labels")


def _media_index(folder: Path) -> dict[str, list[Path]]:
    index: dict[str, list[Path]] = {}
    for p in folder.rglob("*"):
        if p.suffix.lower() in MEDIA_SUFFIXES and p.is_file():
            index.setdefault(p.stem, []).append(p)
    return index


def read_label_rows(csv_path: Path) -> tuple[list[tuple[int, str, np.ndarray | None]], list[str]]:
    """The CSV's rows as (line, Filename, labels or None where a value is bad) and the problems found."""
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        rows = list(reader)
    if not header:
        raise DatasetError(f"{csv_path}: empty file (expected a header row)")
    norm = [h.strip().lower() for h in header]
    file_col = next((norm.index(c) for c in FILENAME_COLUMNS if c in norm), None)
    missing = [e for e in EMOTIONS if e.lower() not in norm]
    if file_col is None or missing:
        wanted = (["Filename"] if file_col is None else []) + missing
        raise DatasetError(f"{csv_path}: missing column(s) {', '.join(repr(w) for w in wanted)} "
                           f"(found: {', '.join(repr(h) for h in header)})")
    label_cols = [norm.index(e.lower()) for e in EMOTIONS]
    problems, out, seen = [], [], {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            problems.append(f"{csv_path.name} line {line}: {len(row)} fields, the header has {len(header)}")
            continue
        name = row[file_col].strip()
        values = []
        for emotion, col in zip(EMOTIONS, label_cols):
            cell = row[col].strip()
            try:
                v = float(cell)
            except ValueError:
                problems.append(f"{csv_path.name} line {line} ({name}): {emotion} = {cell!r} is not a number")
                continue
            if not 0.0 <= v <= 1.0:  # NaN fails this too
                problems.append(f"{csv_path.name} line {line} ({name}): {emotion} = {cell} is outside [0, 1]")
            values.append(v)
        if name in seen:
            problems.append(f"{csv_path.name} line {line}: {name!r} is listed twice (first on line {seen[name]})")
            continue
        seen[name] = line
        out.append((line, name, np.array(values, dtype=np.float32) if len(values) == len(EMOTIONS) else None))
    return out, problems


def load(folder: Path, labels: Path | None = None) -> list[Clip]:
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a directory")
    csv_path = _find_csv(folder, labels)
    rows, problems = read_label_rows(csv_path)
    index = _media_index(folder)
    clips = []
    for line, name, values in rows:
        direct = folder / name
        if name and direct.is_file():
            path = direct
        else:
            candidates = index.get(Path(name).stem if Path(name).suffix else name, [])
            if not name or not candidates:
                problems.append(f"{csv_path.name} line {line}: media file {name!r} not found under {folder}")
                continue
            if len(candidates) > 1:
                problems.append(f"{csv_path.name} line {line}: {name!r} is ambiguous "
                                f"({', '.join(str(c.relative_to(folder)) for c in candidates[:3])})")
                continue
            path = candidates[0]
        try:
            info = probe(path)
        except MediaError as e:
            problems.append(f"{csv_path.name} line {line}: {e}")
            continue
        if values is not None:
            clips.append(Clip(name, path, values, info.has_audio, info.has_video))
    if problems:
        more = f"\n  ... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise DatasetError(f"{folder}: {len(problems)} problem(s) in the labelled folder:\n  "
                           + "\n  ".join(problems[:MAX_REPORTED]) + more)
    if not clips:
        raise DatasetError(f"{csv_path}: no clips listed")
    return clips
