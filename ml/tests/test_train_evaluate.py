"""Train lowers the loss on a synthetic labelled set; evaluate's ρ is numpy's corrcoef."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch

from conftest import REFERENCE_BUNDLE
from emi_ml import EMOTIONS, dataset, evaluate, export, metrics, train, weights
from emi_ml.bundle import Bundle
from emi_ml.config import PRESETS


@pytest.fixture(scope="module")
def trained_run(labelled_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert train.main(["--data", str(labelled_folder), "--out", str(out), "--preset", "tiny",
                       "--epochs", "12", "--batch-size", "4", "--lr", "3e-3"]) == 0
    return out


def test_training_lowers_the_loss_of_both_branches(trained_run):
    summary = json.loads((trained_run / "training.json").read_text())
    for branch in ("audio", "visual"):
        run = summary["branches"][branch]
        assert run["clips"] == 7  # one clip lacks this modality
        assert run["final_loss"] < run["initial_loss"], branch


def test_training_leaves_the_backbones_as_they_were(trained_run):
    for branch in ("audio", "visual"):
        saved = torch.load(trained_run / f"{branch}.pt")
        assert saved["trained"] is False  # heads on a random backbone: not a trained model
        fresh = weights.build(branch, PRESETS["tiny"], 1234).state_dict()
        for key, value in saved["state_dict"].items():
            if key.startswith("backbone."):
                assert torch.equal(value, fresh[key]), key
        assert not torch.equal(saved["state_dict"]["emi_head.weight"], fresh["emi_head.weight"])


def test_trained_heads_export_and_evaluate(trained_run, labelled_folder, tmp_path, capsys):
    bundle = tmp_path / "bundle"
    assert export.main(["--preset", "tiny", "--name", "synthetic", "--out", str(bundle),
                        "--audio-weights", str(trained_run / "audio.pt"),
                        "--visual-weights", str(trained_run / "visual.pt")]) == 0
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["trained"] is False and "audio.pt" in manifest["provenance"]
    assert evaluate.main(["--bundle", str(bundle), "--data", str(labelled_folder)]) == 0
    assert "mean ρ" in capsys.readouterr().out


def test_evaluate_rho_is_numpys_corrcoef_of_its_predictions(labelled_folder, tmp_path):
    preds_csv, report_json = tmp_path / "p.csv", tmp_path / "r.json"
    assert evaluate.main(["--bundle", str(REFERENCE_BUNDLE), "--data", str(labelled_folder),
                          "--predictions", str(preds_csv), "--json", str(report_json)]) == 0
    report = json.loads(report_json.read_text())
    labels = {c.name: c.labels for c in dataset.load(labelled_folder)}
    with open(preds_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["source"] for r in rows} == {"audio", "visual", "fused"}
    for source in ("audio", "visual", "fused"):
        mine = [r for r in rows if r["source"] == source]
        assert len(mine) == report[source]["clips"] == (8 if source == "fused" else 7)
        pred = np.array([[float(r[e]) for e in EMOTIONS] for r in mine])
        target = np.stack([labels[r["Filename"]] for r in mine])
        expected = [np.corrcoef(pred[:, d], target[:, d])[0, 1] for d in range(6)]
        got = [report[source]["pearson"][e] for e in EMOTIONS]
        np.testing.assert_allclose(got, expected, atol=1e-6)
        assert report[source]["mean_pearson"] == pytest.approx(np.mean(expected), abs=1e-6)


def test_fusion_is_the_weighted_mean_and_one_modality_falls_back(labelled_folder):
    bundle = Bundle(REFERENCE_BUNDLE)
    clips = {c.name: c for c in dataset.load(labelled_folder)}
    both = bundle.predict(clips["00000"])
    w = bundle.manifest["fusion"]
    np.testing.assert_allclose(both["fused"], (w["audio"] * both["audio"] + w["visual"] * both["visual"])
                               / (w["audio"] + w["visual"]), rtol=1e-6)
    audio_only = bundle.predict(clips["00006"])
    assert set(audio_only) == {"audio", "fused"} and np.array_equal(audio_only["fused"], audio_only["audio"])
    video_only = bundle.predict(clips["00007"])
    assert set(video_only) == {"visual", "fused"} and np.array_equal(video_only["fused"], video_only["visual"])


def test_pearson_matches_corrcoef_and_is_nan_for_a_constant_column():
    rng = np.random.default_rng(3)
    pred, target = rng.uniform(size=(20, 6)), rng.uniform(size=(20, 6))
    expected = [np.corrcoef(pred[:, d], target[:, d])[0, 1] for d in range(6)]
    np.testing.assert_allclose(metrics.pearson_per_dimension(pred, target), expected, atol=1e-12)
    pred[:, 2] = 0.5
    assert np.isnan(metrics.pearson_per_dimension(pred, target)[2])


def test_loss_is_mse_plus_one_minus_pearson():
    rng = np.random.default_rng(4)
    pred, target = rng.uniform(size=(10, 6)), rng.uniform(size=(10, 6))
    rho = metrics.pearson_per_dimension(pred, target).mean()
    expected = ((pred - target) ** 2).mean() + 1 - rho
    got = float(metrics.loss(torch.from_numpy(pred), torch.from_numpy(target)))
    assert got == pytest.approx(expected, abs=1e-6)
    assert float(metrics.loss(torch.from_numpy(target), torch.from_numpy(target))) == pytest.approx(0, abs=1e-6)
