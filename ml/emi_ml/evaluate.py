"""Evaluate a bundle on a labelled folder: per-emotion and mean Pearson ρ (the challenge metric).

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.evaluate --bundle models/reference-tiny --data DIR \\
        [--labels DIR/valid.csv] [--predictions preds.csv] [--json report.json]

Each clip gets one prediction per branch (the mean of its segments' segment-level outputs, run
with ONNX Runtime exactly as the bundle's files say) and a fused one; ρ is computed over clips.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

from . import EMOTIONS, dataset, metrics
from .bundle import Bundle
from .manifest import ManifestError
from .media import MediaError
from .ort import OrtError

SOURCES = ("audio", "visual", "fused")


def evaluate(bundle: Bundle, clips: list[dataset.Clip]) -> tuple[dict, dict]:
    """Returns (report, predictions) with predictions[source] = (clip names, [n, 6] array)."""
    per_source: dict[str, list] = {s: [] for s in SOURCES}
    for clip in clips:
        for source, pred in bundle.predict(clip).items():
            per_source[source].append((clip.name, pred, clip.labels))
    report = {
        "bundle": {k: bundle.manifest[k] for k in ("name", "version", "trained")},
        "clips": len(clips),
        "emotions": list(EMOTIONS),
    }
    predictions = {}
    for source, rows in per_source.items():
        if len(rows) < 2:
            continue
        names = [r[0] for r in rows]
        pred = np.stack([r[1] for r in rows])
        target = np.stack([r[2] for r in rows])
        report[source] = {"clips": len(rows), **metrics.challenge_score(pred, target)}
        predictions[source] = (names, pred)
    return report, predictions


def write_predictions(path: Path, predictions: dict) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Filename", "source", *EMOTIONS])
        for source, (names, pred) in predictions.items():
            for name, row in zip(names, pred):
                w.writerow([name, source, *(f"{v:.9g}" for v in row)])


def format_report(report: dict) -> str:
    short = [e[:12] for e in EMOTIONS]
    lines = [f"bundle {report['bundle']['name']} {report['bundle']['version']} "
             f"(trained: {str(report['bundle']['trained']).lower()}), {report['clips']} clips",
             f"{'source':<8} {'clips':>5}  " + "  ".join(f"{s:>13}" for s in short) + f"  {'mean ρ':>8}"]
    for source in SOURCES:
        if source in report:
            r = report[source]
            lines.append(f"{source:<8} {r['clips']:>5}  " + "  ".join(f"{r['pearson'][e]:>13.4f}" for e in EMOTIONS)
                         + f"  {r['mean_pearson']:>8.4f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m emi_ml.evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", required=True, type=Path, help="model bundle directory")
    ap.add_argument("--data", required=True, type=Path, help="labelled folder (media + CSV)")
    ap.add_argument("--labels", type=Path, help="the labels CSV, when the folder has several")
    ap.add_argument("--predictions", type=Path, help="write per-clip predictions to this CSV")
    ap.add_argument("--json", type=Path, help="write the report as JSON")
    args = ap.parse_args(argv)
    try:
        bundle = Bundle(args.bundle)
        clips = dataset.load(args.data, args.labels)
        report, predictions = evaluate(bundle, clips)
    except (dataset.DatasetError, ManifestError, MediaError, OrtError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not predictions:
        print("error: fewer than 2 clips could be scored; ρ is undefined", file=sys.stderr)
        return 2
    print(format_report(report))
    if not report["bundle"]["trained"]:
        print("note: this bundle is untrained; its ρ says nothing about EMI")
    if args.predictions:
        write_predictions(args.predictions, predictions)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
