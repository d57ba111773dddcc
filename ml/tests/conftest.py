"""Shared fixtures: a synthetic labelled folder made with espeak-ng and ffmpeg, and paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ML = Path(__file__).resolve().parents[1]
REPO = ML.parent
sys.path.insert(0, str(ML))

from emi_ml import EMOTIONS, ort  # noqa: E402

REFERENCE_BUNDLE = REPO / "models" / "reference-tiny"
ASTRONAUT = Path("/usr/lib/python3/dist-packages/skimage/data/astronaut.png")
REFERENCE_FIXTURES = REPO / "tests" / "fixtures" / "reference-tiny"


@pytest.fixture(scope="session", autouse=True)
def onnxruntime_library():
    """ONNX Runtime must be there: these tests are about what it computes from our graphs."""
    try:
        path = ort.library_path()
    except ort.OrtError as e:
        pytest.fail(f"{e}\n(make test builds the C# solution, whose NuGet restore provides it)", pytrace=False)
    os.environ["EMI_ORT_LIBRARY"] = str(path)
    return path


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, capture_output=True)


def make_clip(folder: Path, name: str, index: int, audio: bool = True, video: bool = True) -> Path:
    """A short clip: espeak-ng speech (pitch varies with index) and/or a face (Debian python3-skimage's
    public-domain astronaut.png, its place varying with index) over a test pattern (hue varies): the
    reference bundle's face stage finds it, as it would a participant's."""
    inputs, maps = [], []
    if video:
        inputs += ["-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=10:duration=1.6,hue=h={index * 47}:s={1 + index % 3}",
                   "-loop", "1", "-t", "1.6", "-i", str(ASTRONAUT),
                   "-filter_complex", f"[1:v]scale=160:160[f];[0:v][f]overlay=x={20 + (index * 37) % 140}:y={20 + (index * 23) % 60}[v]"]
        maps += ["-map", "[v]"]
    if audio:
        wav = folder / f".{name}.wav"
        _run("espeak-ng", "-w", str(wav), "-s", str(150 + 9 * index), "-p", str(15 + 11 * index),
             f"clip {index}: this is how it sounds")
        maps += ["-map", f"{2 if video else 0}:a"]
        inputs += ["-i", str(wav)]
    suffix = ".mp4" if video else ".wav"
    out = folder / f"{name}{suffix}"
    codecs = (["-c:v", "mpeg4"] if video else []) + (["-c:a", "aac"] if audio and video else [])
    _run("ffmpeg", "-v", "error", "-y", *inputs, *maps, *(["-shortest"] if audio and video else []), *codecs, str(out))
    if audio:
        wav.unlink()
    return out


def write_labels(path: Path, rows: list[tuple[str, list[float]]], header=None, extra: str = "train") -> None:
    header = header or ["Filename", *EMOTIONS, "Split"]
    lines = [",".join(header)] + [",".join([name, *(f"{v:.4f}" for v in values), extra]) for name, values in rows]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def labelled_folder(tmp_path_factory) -> Path:
    """Eight clips like the challenge data: six with sound and picture, one audio-only, one video-only.

    Labels are random but fixed; the names in the CSV are stems, as in the challenge CSVs.
    """
    folder = tmp_path_factory.mktemp("labelled")
    (folder / "raw").mkdir()
    rng = np.random.default_rng(7)
    rows = []
    for i in range(8):
        name = f"{i:05d}"
        make_clip(folder / "raw", name, i, audio=(i != 7), video=(i != 6))
        rows.append((name, list(rng.uniform(0, 1, 6))))
    write_labels(folder / "labels.csv", rows)
    return folder
