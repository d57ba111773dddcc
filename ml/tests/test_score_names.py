"""The tooling's emotion and VAD names are the platform's: the same names in the same order as the C# list of score
columns (ScoreColumns.cs), after the mapping the platform applies to a bundle's output names (BundleColumnMap)."""

from __future__ import annotations

import re
from pathlib import Path

from emi_ml import EMOTIONS
from emi_ml.audio import VAD

SOURCES = Path(__file__).resolve().parents[2] / "src"


def _csharp_columns(source: str) -> list[str]:
    """The column names of one ScoreSource, read from ScoreColumns.cs wherever the solution keeps it."""
    files = [p for p in SOURCES.rglob("ScoreColumns.cs") if not {"bin", "obj"} & set(p.parts)]
    assert len(files) == 1, f"expected one ScoreColumns.cs under src/, found {files}"
    names = re.findall(rf'new\("([a-z_]+)", ScoreSource\.{source}\)', files[0].read_text(encoding="utf-8"))
    assert names, f"no {source} column in {files[0]}"
    return names


def _as_the_platform_reads_it(name: str) -> str:
    """BundleColumnMap.Normalise: a bundle's output name as a column name."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def test_the_emotions_are_the_platforms_emotion_columns_in_order():
    assert [_as_the_platform_reads_it(e) for e in EMOTIONS] == _csharp_columns("Emotion")


def test_the_vad_names_are_the_platforms_vad_columns_in_order():
    assert [_as_the_platform_reads_it(v) for v in VAD] == _csharp_columns("Vad")
