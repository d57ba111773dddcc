"""Evaluate a bundle on a labelled folder: per-emotion and mean Pearson ρ (the challenge metric).

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.evaluate --bundle models/reference-tiny --data DIR \\
        [--labels DIR/valid.csv] [--predictions preds.csv] [--json report.json]

Each clip gets one prediction per branch (the mean of its segments' segment-level outputs, run
with ONNX Runtime exactly as the bundle's files say) and a fused one; ρ is computed over clips.

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.evaluate --bundle HEAD_BUNDLE --features DIR --labels labels.csv

evaluates a head bundle (emi_ml.train --features) on exported feature files instead: the head graph runs on the
features, as a heads-only re-score runs it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

from . import EMOTIONS, dataset, features, head_training, metrics, ort
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


def evaluate_features(bundle_dir: Path, items: list[features.LabelledFeatures]) -> tuple[dict, dict]:
    """The head bundle's head graph on each clip's features, fused over segments as serving does."""
    manifest, branch, section = head_training.read_head_bundle(bundle_dir)
    backbone = section["backbone"]["sha256"]
    wrong = [i.name for i in items if i.file.backbone_sha256 != backbone or i.file.branch != branch]
    if wrong:
        raise features.FeatureError(f"{len(wrong)} feature file(s) are not {branch} features of the bundle's backbone "
                                    f"{backbone[:12]}: {', '.join(wrong[:5])}")
    rows = []
    seg = head_training.segment_steps(section)
    names = ["features"] if branch == "audio" else ["features", "aus"]
    with ort.Session(Path(bundle_dir) / section["head"]["onnx"]) as session:
        for item in items:
            segs, valid_steps, all_valid = [], [], True
            for inputs, valid in head_training.clip_inputs(item, seg, section.get("action_units", 0)):
                steps, segment = session.run(["emi_steps", "emi_segment"], {n: t.numpy() for n, t in zip(names, inputs)})
                v = valid.numpy()
                segs.append(segment)
                valid_steps.append(steps[v])
                all_valid = all_valid and bool(v.all())
            if all_valid:
                rows.append((item.name, np.concatenate(segs).mean(axis=0), item.labels))
            elif sum(len(s) for s in valid_steps):
                rows.append((item.name, np.concatenate(valid_steps).mean(axis=0), item.labels))
    report = {"bundle": {k: manifest[k] for k in ("name", "version", "trained", "provenance")}, "clips": len(items),
              "emotions": list(EMOTIONS)}
    predictions = {}
    if len(rows) >= 2:
        pred, target = np.stack([r[1] for r in rows]), np.stack([r[2] for r in rows])
        report[branch] = {"clips": len(rows), **metrics.challenge_score(pred, target)}
        predictions[branch] = ([r[0] for r in rows], pred)
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
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="labelled folder (media + CSV)")
    source.add_argument("--features", type=Path, help="folder of exported feature files (.npz), for a head bundle; needs --labels")
    ap.add_argument("--labels", type=Path, help="the labels CSV, when the folder has several")
    ap.add_argument("--predictions", type=Path, help="write per-clip predictions to this CSV")
    ap.add_argument("--json", type=Path, help="write the report as JSON")
    args = ap.parse_args(argv)
    if args.features is not None and args.labels is None:
        ap.error("--features needs --labels")
    try:
        if args.features is not None:
            items = features.match_labels(features.load_folder(args.features), args.labels)
            report, predictions = evaluate_features(args.bundle, items)
        else:
            bundle = Bundle(args.bundle)
            clips = dataset.load(args.data, args.labels)
            report, predictions = evaluate(bundle, clips)
    except (dataset.DatasetError, ManifestError, MediaError, OrtError, features.FeatureError) as e:
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
