"""Weights in: a trained state dict per branch goes into the export and is what the graph computes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from emi_ml import export, ort, weights
from emi_ml.config import PRESETS

TINY = PRESETS["tiny"]


def _perturbed(branch: str):
    model = weights.build(branch, TINY, 5)
    with torch.no_grad():
        model.emi_head.bias.add_(0.7)  # a recognisable change from the seeded initial weights
    return model


def test_export_with_trained_state_dicts_says_trained_and_computes_with_them(tmp_path):
    for branch in weights.BRANCHES:
        weights.save(tmp_path / f"{branch}.pt", branch, _perturbed(branch), trained=True, info={"data": "lab-set"})
    out = tmp_path / "bundle"
    assert export.main(["--preset", "tiny", "--name", "lab-model", "--version", "2.0.0", "--out", str(out),
                        "--audio-weights", str(tmp_path / "audio.pt"), "--visual-weights", str(tmp_path / "visual.pt"),
                        "--fusion", "audio=0.7,visual=0.3"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["trained"] is True and manifest["fusion"] == {"audio": 0.7, "visual": 0.3}
    assert "audio.pt" in manifest["provenance"] and "NOT" not in manifest["provenance"]
    x = np.random.default_rng(0).normal(0, 0.1, (1, 8000)).astype(np.float32)
    with ort.Session(out / "audio-backbone.onnx") as b, ort.Session(out / "audio-head.onnx") as h:
        got = h.run(["emi_segment"], {"features": b.run(["features"], {"waveform": x})[0]})[0]
    with torch.no_grad():
        want = _perturbed("audio").eval()(torch.from_numpy(x))[1].numpy()
    assert np.abs(got - want).max() <= 1e-4


def test_a_plain_state_dict_loads(tmp_path):
    model = _perturbed("visual")
    torch.save(model.state_dict(), tmp_path / "plain.pt")
    target = weights.build("visual", TINY, 1)
    assert weights.load(tmp_path / "plain.pt", "visual", target)["trained"] is True
    assert torch.equal(target.emi_head.bias, model.emi_head.bias)


def test_a_backbone_only_checkpoint_loads_partially_for_training(tmp_path):
    model = _perturbed("audio")
    torch.save({k: v for k, v in model.state_dict().items() if k.startswith("backbone.")}, tmp_path / "bb.pt")
    target = weights.build("audio", TINY, 1)
    with pytest.raises(weights.WeightsError, match="lacks"):
        weights.load(tmp_path / "bb.pt", "audio", target)
    meta = weights.load(tmp_path / "bb.pt", "audio", target, partial=True)
    assert meta["missing_keys"] > 0
    assert all(torch.equal(a, b) for a, b in zip(target.backbone.parameters(), model.backbone.parameters()))


@pytest.mark.parametrize("case, message", [
    ("other_branch", "holds visual weights, not audio"),
    ("other_preset", "different audio architecture"),
    ("foreign_key", "does not have"),
    ("bad_shape", "has shape"),
    ("not_a_checkpoint", "not a PyTorch state dict"),
])
def test_weights_that_do_not_fit_are_refused(tmp_path, case, message):
    path = tmp_path / "w.pt"
    if case == "other_branch":
        weights.save(path, "visual", weights.build("visual", TINY, 1), trained=True, info={})
    elif case == "other_preset":
        weights.save(path, "audio", weights.build("audio", PRESETS["base"], 1), trained=True, info={})
    elif case == "foreign_key":
        torch.save({"decoder.weight": torch.zeros(2)}, path)
    elif case == "bad_shape":
        torch.save({"emi_head.bias": torch.zeros(7)}, path)
    else:
        path.write_bytes(b"definitely not a checkpoint")
    with pytest.raises(weights.WeightsError, match=message):
        weights.load(path, "audio", weights.build("audio", TINY, 1), partial=True)


def test_export_refuses_weights_that_do_not_fit(tmp_path, capsys):
    weights.save(tmp_path / "v.pt", "visual", weights.build("visual", TINY, 1), trained=True, info={})
    code = export.main(["--preset", "tiny", "--out", str(tmp_path / "b"), "--audio-weights", str(tmp_path / "v.pt")])
    assert code == 2 and "holds visual weights" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("flag, value", [("--version", "v1"), ("--name", "Lab Model"), ("--fusion", "audio=-1,visual=1")])
def test_export_refuses_a_bad_name_version_or_fusion(tmp_path, capsys, flag, value):
    code = export.main(["--preset", "tiny", "--out", str(tmp_path / "b"), "--no-verify", flag, value])
    assert code == 2 and "error: manifest.json" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
