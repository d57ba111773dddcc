"""Training sees what serving sees: steps and clips without the tracked face stay out of the visual loss."""

from __future__ import annotations

import subprocess

import numpy as np
import torch

from conftest import REFERENCE_BUNDLE, make_clip
from emi_ml import metrics, train, weights
from emi_ml.config import PRESETS
from emi_ml.dataset import Clip


def _step_logits(model):
    """Captures the EMI head's per-step output (its first call in `heads`) with its gradient kept."""
    captured = []

    def hook(_module, _inputs, output):
        if output.dim() == 3:
            output.retain_grad()
            captured.append(output)

    return captured, model.emi_head.register_forward_hook(hook)


def test_faceless_steps_get_no_gradient_from_the_visual_loss():
    model = weights.build("visual", PRESETS["tiny"], 1234).eval()
    cfg = model.cfg
    g = torch.Generator().manual_seed(7)
    steps = 10
    masks = [torch.tensor([[True] * 4 + [False] * 3 + [True] * 3]), torch.tensor([[False] * 6 + [True] * 4]),
             torch.tensor([[True] * steps])]
    captured, handle = _step_logits(model)
    try:
        preds = []
        for mask in masks:
            feats = torch.randn(1, steps, cfg.feature_dim, generator=g)
            aus = torch.zeros(1, steps, len(cfg.action_units))
            preds.append(train.clip_prediction(model, (feats, aus), mask))
        loss = metrics.loss(torch.stack(preds), torch.rand(3, 6, generator=g))
        loss.backward()
    finally:
        handle.remove()
    assert len(captured) == len(masks)
    for logits, mask in zip(captured, masks):
        grad = logits.grad[0].abs().sum(dim=-1)
        assert torch.all(grad[~mask[0]] == 0), "a faceless step's output reached the loss"
        assert torch.all(grad[mask[0]] > 0), "a step with the face did not reach the loss"


def test_a_clip_prediction_is_the_mean_of_its_steps_with_the_face_as_serving_fuses_them():
    model = weights.build("visual", PRESETS["tiny"], 1234).eval()
    cfg = model.cfg
    feats = torch.randn(2, 6, cfg.feature_dim, generator=torch.Generator().manual_seed(3))
    aus = torch.zeros(2, 6, len(cfg.action_units))
    mask = torch.tensor([[True, True, False, False, True, False], [False] * 6])
    with torch.no_grad():
        steps = model.heads(feats, aus)[0]
        assert torch.allclose(train.clip_prediction(model, (feats, aus), mask), steps[mask].mean(dim=0))
        assert train.clip_prediction(model, (feats, aus), torch.zeros(2, 6, dtype=torch.bool)) is None
        # Without a face stage (no mask) the clip-level output is the segments' emi_segment, as before.
        assert torch.allclose(train.clip_prediction(model, (feats, aus)), model.heads(feats, aus)[1].mean(dim=0))


def test_a_clip_in_which_the_face_is_never_seen_is_left_out_of_visual_training(tmp_path):
    rng = np.random.default_rng(5)
    clips = []
    for i in range(3):
        path = make_clip(tmp_path, f"face{i}", i, audio=False)
        clips.append(Clip(name=f"face{i}", path=path, labels=rng.random(6).astype(np.float32), has_audio=False, has_video=True))
    away = tmp_path / "away.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=1.6",
                    "-c:v", "mpeg4", str(away)], check=True, stdin=subprocess.DEVNULL)
    clips.append(Clip(name="away", path=away, labels=rng.random(6).astype(np.float32), has_audio=False, has_video=True))

    log = []
    model = weights.build("visual", PRESETS["tiny"], 1234)
    history = train.train_branch("visual", model, clips, epochs=1, batch_size=4, lr=1e-3, seed=1234, log=log.append,
                                 face_from=REFERENCE_BUNDLE)
    assert history["clips"] == 3
    assert any("left out: away" in line for line in log), log
