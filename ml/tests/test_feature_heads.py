"""Heads trained on exported feature files: the format reads with plain numpy, a head learns a known function of the
features and holds on held-out clips, and the bundle names the backbone by hash and says what it was trained for."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from conftest import REFERENCE_BUNDLE
from emi_ml import EMOTIONS, evaluate, features, train
from emi_ml.manifest import sha256_file

_REFERENCE = json.loads((REFERENCE_BUNDLE / "manifest.json").read_text())
BACKBONE = _REFERENCE["visual"]["backbone"]["sha256"]
DIM = _REFERENCE["visual"]["backbone"]["output"]["shape"][-1]


def _labels(level: float) -> list[float]:
    # Six different functions of one hidden level, so every emotion's ρ is defined and none is trivial.
    return [level, 1 - level, 0.2 + 0.6 * level, level ** 2, 0.9 - 0.8 * level, 0.5 + 0.4 * (level - 0.5)]


def _write_set(folder, names_levels, rng, branch="visual", backbone=BACKBONE):
    folder.mkdir(parents=True, exist_ok=True)
    direction = np.linspace(-1, 1, DIM)
    for name, level in names_levels:
        steps = int(rng.integers(20, 40))
        x = rng.normal(0, 0.3, (steps, DIM)) + 3 * level * direction
        features.write(folder / f"{name}.npz", x, step_rate_hz=5.0, backbone_sha256=backbone, branch=branch,
                       recording_id=f"rec-{name}", file_name=f"{name}.mp4", participant="p1")


def _write_csv(path, names_levels):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Filename", *EMOTIONS])
        for name, level in names_levels:
            w.writerow([f"{name}.mp4", *(f"{v:.6f}" for v in _labels(level))])


@pytest.fixture(scope="module")
def feature_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("features")
    rng = np.random.default_rng(7)
    levels = rng.uniform(0.05, 0.95, 24)
    train_set = [(f"clip{i:02d}", float(l)) for i, l in enumerate(levels[:16])]
    held_out = [(f"clip{i:02d}", float(l)) for i, l in enumerate(levels[16:], start=16)]
    _write_set(root / "feats", train_set + held_out, rng)
    _write_csv(root / "train.csv", train_set)
    _write_csv(root / "held_out.csv", held_out)
    return root


@pytest.fixture(scope="module")
def head_bundle(feature_set):
    out = feature_set / "bundle"
    assert train.main(["--features", str(feature_set / "feats"), "--labels", str(feature_set / "train.csv"),
                       "--out", str(out), "--name", "synthetic-level", "--version", "1.0.0",
                       "--task", "synthetic: labels are fixed functions of a level added along one feature direction",
                       "--epochs", "60", "--batch-size", "8", "--lr", "3e-3"]) == 0
    return out


def test_a_feature_file_reads_with_plain_numpy(feature_set):
    with np.load(feature_set / "feats" / "clip00.npz", allow_pickle=False) as z:
        assert z["features"].dtype == np.float16 and z["features"].shape[1] == DIM
        assert str(z["backbone_sha256"]) == BACKBONE
        assert float(z["step_rate_hz"]) == 5.0
        assert str(z["file_name"]) == "clip00.mp4" and str(z["participant"]) == "p1"


def test_a_head_trained_on_features_follows_the_function_on_held_out_clips(feature_set, head_bundle, tmp_path):
    report_path = tmp_path / "report.json"
    assert evaluate.main(["--bundle", str(head_bundle), "--features", str(feature_set / "feats"),
                          "--labels", str(feature_set / "held_out.csv"), "--json", str(report_path)]) == 0
    report = json.loads(report_path.read_text())
    assert report["visual"]["clips"] == 8
    assert report["visual"]["mean_pearson"] > 0.9, report


def test_the_head_bundle_names_its_backbone_and_what_it_was_trained_for(head_bundle):
    manifest = json.loads((head_bundle / "manifest.json").read_text())
    assert manifest["schema_version"] == 2 and manifest["trained"] is True
    assert "synthetic" in manifest["provenance"] and "synthetic" in manifest["build"]["task"]
    section = manifest["visual"]
    # The backbone and the face stage are the reference bundle's, named by hash; only the head ships.
    assert section["backbone"] == _REFERENCE["visual"]["backbone"]
    assert section["face"] == _REFERENCE["visual"]["face"]
    assert section["head"]["inputs"]["features"]["shape"] == ["batch", "time", DIM]
    assert section["head"]["sha256"] == sha256_file(head_bundle / section["head"]["onnx"])
    assert section["head"]["sha256"] != _REFERENCE["visual"]["head"]["sha256"]
    assert sorted(p.name for p in head_bundle.iterdir()) == ["manifest.json", "visual-head.onnx"]
    assert manifest["build"]["parity_max_abs"] <= 1e-4
    assert "audio" not in manifest


def test_features_of_another_backbone_are_refused(feature_set, tmp_path, capsys):
    rng = np.random.default_rng(3)
    _write_set(tmp_path / "other", [("a", 0.1), ("b", 0.9)], rng, backbone="cd" * 32)
    _write_csv(tmp_path / "l.csv", [("a", 0.1), ("b", 0.9)])
    assert train.main(["--features", str(tmp_path / "other"), "--labels", str(tmp_path / "l.csv"),
                       "--out", str(tmp_path / "b"), "--name", "x", "--task", "t", "--epochs", "1"]) == 2
    assert "--base-bundle" in capsys.readouterr().err


def test_a_label_without_a_feature_file_is_named(feature_set, tmp_path, capsys):
    bad = tmp_path / "labels.csv"
    _write_csv(bad, [("clip00", 0.3), ("nowhere", 0.5)])
    assert train.main(["--features", str(feature_set / "feats"), "--labels", str(bad), "--out", str(tmp_path / "b"),
                       "--name", "x", "--task", "t", "--epochs", "1"]) == 2
    assert "no feature file for 'nowhere.mp4'" in capsys.readouterr().err


def test_features_of_two_backbones_in_one_folder_are_refused(tmp_path):
    rng = np.random.default_rng(1)
    _write_set(tmp_path / "mixed", [("a", 0.1)], rng)
    _write_set(tmp_path / "mixed", [("b", 0.2)], rng, backbone="cd" * 32)
    with pytest.raises(features.FeatureError, match="more than one backbone"):
        features.load_folder(tmp_path / "mixed")


def test_a_file_that_is_not_float16_is_refused(tmp_path):
    np.savez(tmp_path / "x.npz", features=np.zeros((3, 4), np.float32), step_rate_hz=5.0, backbone_sha256=BACKBONE,
             branch="visual", recording_id="r", file_name="x.mp4", participant="")
    with pytest.raises(features.FeatureError, match="float16"):
        features.read(tmp_path / "x.npz")


def test_the_engines_segments_are_the_segments_a_head_trains_on(tmp_path):
    from emi_ml import head_training
    x = np.arange(26 * DIM, dtype=np.float32).reshape(26, DIM) / 1000
    np.savez(tmp_path / "s.npz", features=x.astype(np.float16), step_rate_hz=5.0, backbone_sha256=BACKBONE, branch="visual",
             recording_id="r", file_name="s.mp4", participant="", segments=np.array([[0, 12], [12, 12], [24, 2]]),
             valid=np.ones(26, bool))
    item = features.LabelledFeatures("s", features.read(tmp_path / "s.npz"), np.zeros(6, np.float32))
    batches = head_training.clip_inputs(item, seg_steps=60, action_units=17)
    assert [tuple(inputs[0].shape) for inputs, _ in batches] == [(1, 2, DIM), (2, 12, DIM)]
    assert np.array_equal(batches[1][0][0][1].numpy(), x[12:24].astype(np.float16).astype(np.float32))


def test_segments_that_do_not_fit_the_rows_are_refused(tmp_path):
    np.savez(tmp_path / "s.npz", features=np.zeros((5, 4), np.float16), step_rate_hz=5.0, backbone_sha256=BACKBONE,
             branch="visual", recording_id="r", file_name="s.mp4", participant="", segments=np.array([[0, 6]]))
    with pytest.raises(features.FeatureError, match="segments"):
        features.read(tmp_path / "s.npz")
