"""Train the heads of one or both branches on frozen backbones, from a labelled folder or from exported features.

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.train --data DIR --preset base --out runs/1 \\
        [--init-audio backbone.pt] [--init-visual backbone.pt] [--branch audio|visual|both] [--epochs 30]

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.train --features DIR --labels labels.csv --out BUNDLE \\
        --name my-head --version 1.0.0 --task "what the labels measure" [--base-bundle models/reference-tiny] \\
        [--branch audio|visual] [--epochs 200]

With --features the backbone never runs: the branch's reference head is trained on the feature files the platform
exported (emi_ml.features) and written as a head bundle naming the base bundle's backbone by hash (head_training),
ready for `emi bundles register`.

Writes OUT/<branch>.pt (load with `export --audio-weights/--visual-weights`) and OUT/training.json.
The backbones (wav2vec 2.0 with its VAD head; ResNet18) stay as loaded: train them elsewhere, or
bring a checkpoint with --init-*, which may hold the backbone only. Loss: MSE + (1 - Pearson ρ),
on the clip-level prediction (mean of the clip's segment outputs).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from . import dataset, faces, features, head_training, media, metrics, segments, weights
from . import manifest as mf
from .config import preset as get_preset
from .export import DEFAULT_SEED


class TrainingError(ValueError):
    pass


def _audio_features(model, clip: dataset.Clip):
    cfg = model.cfg
    pcm = media.decode_audio(clip.path, cfg.sample_rate)
    segs = segments.audio_segments(pcm, cfg.sample_rate, cfg.segment_seconds, cfg.receptive_field_samples)
    with torch.no_grad():
        return model.backbone_features(torch.from_numpy(segs))


def _visual_features(model, clip: dataset.Clip, face_from: Path | None = None):
    """Backbone features, AU input and face mask of the frames serving scores: the face crops, action units and
    tracked-face flags of `face_from`'s face stage; else whole frames, zero AUs and no mask (None)."""
    cfg = model.cfg
    if face_from is not None:
        visual = mf.read(face_from)["visual"]
        visual = {**visual, "frame_rate": cfg.frame_rate, "image_size": [cfg.image_size, cfg.image_size],
                  "mean": list(cfg.mean), "std": list(cfg.std)}
        crops, boxes, aus = faces.face_crops(clip.path, visual, face_from)
        x = segments.visual_segments(crops, cfg.frame_rate, cfg.segment_seconds)
        a = torch.from_numpy(segments.visual_segments(aus, cfg.frame_rate, cfg.segment_seconds))
        mask = torch.from_numpy(segments.visual_segments(np.array([b is not None for b in boxes]), cfg.frame_rate,
                                                         cfg.segment_seconds))
    else:
        frames = media.decode_frames(clip.path, cfg.frame_rate, cfg.image_size, cfg.image_size)
        x = segments.visual_segments(media.normalise_frames(frames, cfg.mean, cfg.std), cfg.frame_rate, cfg.segment_seconds)
        a, mask = None, None
    with torch.no_grad():
        feats = model.backbone_features(torch.from_numpy(x))
    if a is None:
        a = torch.zeros(feats.shape[0], feats.shape[1], len(cfg.action_units))
    return (feats, a), mask


def clip_prediction(model, inputs: tuple, mask=None) -> torch.Tensor | None:
    """A clip's prediction as serving makes it. Without a face mask: the mean of its segments' emi_segment. With
    one: the mean of emi_steps over the steps with the tracked face only, as a timeline window fuses the visual
    branch only where the face was seen; None when the face was never seen (serving has no visual value there).
    Faceless steps still pass through the temporal model (their input is the zero crop serving feeds too), but
    their outputs never reach the loss."""
    steps, segment = model.heads(*inputs)[:2]
    if mask is None:
        return segment.mean(dim=0)
    if not bool(mask.any()):
        return None
    return steps[mask].mean(dim=0)


def train_branch(branch: str, model, clips: list[dataset.Clip], *, epochs: int, batch_size: int, lr: float,
                 seed: int, log=print, face_from: Path | None = None) -> dict:
    """Trains `model`'s heads in place; returns the loss history."""
    has = (lambda c: c.has_audio) if branch == "audio" else (lambda c: c.has_video)
    usable = [c for c in clips if has(c)]
    if len(usable) < 2:
        raise TrainingError(f"{branch}: {len(usable)} clip(s) with {branch}; Pearson ρ needs at least 2")
    extract = (lambda m, c: (_audio_features(m, c), None)) if branch == "audio" else (lambda m, c: _visual_features(m, c, face_from))
    model.eval()
    started = time.monotonic()
    cache = [extract(model, c) for c in usable]  # frozen backbone: run it once per clip
    log(f"{branch}: backbone features for {len(usable)} clips in {time.monotonic() - started:.1f}s")
    # A clip in which the face stage never saw the face gets no visual prediction when served: leave it out.
    faceless = [c.name for c, (_, mask) in zip(usable, cache) if mask is not None and not bool(mask.any())]
    if faceless:
        log(f"{branch}: {len(faceless)} clip(s) without the tracked face left out: {', '.join(faceless[:10])}")
        kept = [i for i, (_, mask) in enumerate(cache) if mask is None or bool(mask.any())]
        usable, cache = [usable[i] for i in kept], [cache[i] for i in kept]
        if len(usable) < 2:
            raise TrainingError(f"{branch}: {len(usable)} clip(s) with the face seen; Pearson ρ needs at least 2")
    targets = torch.from_numpy(np.stack([c.labels for c in usable]))

    for name, p in model.named_parameters():
        p.requires_grad_(not name.startswith(model.frozen_prefixes))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.Adam(trainable, lr=lr)

    def predict(i: int) -> torch.Tensor:
        return clip_prediction(model, *cache[i])

    def full_loss() -> float:
        model.eval()
        with torch.no_grad():
            return float(metrics.loss(torch.stack([predict(i) for i in range(len(usable))]), targets))

    generator = torch.Generator().manual_seed(seed)
    history = {"initial_loss": full_loss(), "epochs": []}
    for epoch in range(1, epochs + 1):
        model.train()
        model.backbone.eval()  # frozen batch-norm statistics stay as they are
        order = torch.randperm(len(usable), generator=generator).tolist()
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        if len(batches) > 1 and len(batches[-1]) < 2:  # ρ of one clip is undefined
            batches[-2] += batches.pop()
        losses = []
        for batch in batches:
            pred = torch.stack([predict(i) for i in batch])
            loss = metrics.loss(pred, targets[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss))
        history["epochs"].append(float(np.mean(losses)))
        log(f"{branch}: epoch {epoch}/{epochs} loss {history['epochs'][-1]:.4f}")
    history["final_loss"] = full_loss()
    history["clips"] = len(usable)
    for p in model.parameters():
        p.requires_grad_(True)
    model.eval()
    return history


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m emi_ml.train", description=__doc__.split("\n\n")[0])
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="labelled folder (media + CSV)")
    source.add_argument("--features", type=Path, help="folder of exported feature files (.npz); needs --labels")
    ap.add_argument("--labels", type=Path, help="the labels CSV, when the folder has several")
    ap.add_argument("--out", required=True, type=Path, help="directory for the trained state dicts")
    ap.add_argument("--preset", default="tiny", help="tiny | base | large (default tiny)")
    ap.add_argument("--branch", default="both", choices=("audio", "visual", "both"))
    ap.add_argument("--name", help="--features: the head bundle's name")
    ap.add_argument("--version", default="1.0.0", help="--features: the head bundle's version (default 1.0.0)")
    ap.add_argument("--task", help="--features: what the labels measure, in words; the bundle's provenance names it")
    ap.add_argument("--base-bundle", type=Path, default=mf.REPO_ROOT / "models" / "reference-tiny",
                    help="--features: the platform bundle whose backbone made the features (its manifest gives the head's "
                         "architecture and everything the new bundle names by hash; default the reference bundle)")
    ap.add_argument("--init-audio", type=Path, help="audio state dict to start from (may hold the backbone only)")
    ap.add_argument("--init-visual", type=Path, help="visual state dict to start from (may hold the backbone only)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--face-from", type=Path, default=mf.REPO_ROOT / "models" / "reference-tiny",
                    help="bundle whose face stage (detector, track and crop rule) makes the visual training crops, as "
                         "serving makes them (default the reference bundle; a bundle without one: whole frames)")
    args = ap.parse_args(argv)
    if args.batch_size < 2:
        ap.error("--batch-size must be at least 2 (the loss uses Pearson ρ over the batch)")
    if args.features is not None:
        if args.labels is None or not args.name or not args.task:
            ap.error("--features needs --labels, --name and --task")
        return _train_on_features(args)
    try:
        preset = get_preset(args.preset)
    except ValueError as e:
        ap.error(str(e))

    branches = ["audio", "visual"] if args.branch == "both" else [args.branch]
    try:
        face_from = args.face_from if "face" in mf.read(args.face_from).get("visual", {}) else None
        clips = dataset.load(args.data, args.labels)
        args.out.mkdir(parents=True, exist_ok=True)
        summary = {"data": str(args.data), "preset": preset.name, "seed": args.seed, "epochs": args.epochs,
                   "batch_size": args.batch_size, "lr": args.lr, "branches": {}}
        for branch in branches:
            model = weights.build(branch, preset, args.seed)
            init = getattr(args, f"init_{branch}")
            init_meta = weights.load(init, branch, model, partial=True) if init else None
            torch.manual_seed(args.seed)
            history = train_branch(branch, model, clips, epochs=args.epochs, batch_size=args.batch_size,
                                   lr=args.lr, seed=args.seed, face_from=face_from)
            info = {"data": args.data.name, "clips": history["clips"], "epochs": args.epochs,
                    "final_loss": history["final_loss"], "init": init.name if init else None}
            # Heads trained on a randomly initialised backbone are not a trained model: only a run that
            # started from a lab's checkpoint (--init-*) says trained.
            weights.save(args.out / f"{branch}.pt", branch, model, trained=init is not None, info=info)
            summary["branches"][branch] = {**history, "init": str(init) if init else None,
                                           "init_missing_keys": init_meta["missing_keys"] if init_meta else None}
            print(f"{branch}: loss {history['initial_loss']:.4f} -> {history['final_loss']:.4f}, "
                  f"wrote {args.out / (branch + '.pt')}")
    except (dataset.DatasetError, media.MediaError, weights.WeightsError, TrainingError, mf.ManifestError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    (args.out / "training.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


def _train_on_features(args) -> int:
    try:
        files = features.load_folder(args.features, None if args.branch == "both" else args.branch)
        items = features.match_labels(files, args.labels)
        base = head_training.read_base(args.base_bundle)
        model, history = head_training.train(items, base, epochs=args.epochs, lr=args.lr, seed=args.seed,
                                             batch_size=args.batch_size)
        build = {"generator": "emi_ml.train --features", "seed": args.seed, "epochs": args.epochs, "lr": args.lr,
                 "features": args.features.name, "labels": args.labels.name, "toolchain": {"torch": torch.__version__}}
        head_training.export_bundle(model, base, items[0].file.branch, args.out, name=args.name, version=args.version,
                                    task=args.task, history=history, build=build)
    except (features.FeatureError, dataset.DatasetError, head_training.HeadTrainingError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{items[0].file.branch} head: loss {history['initial_loss']:.4f} -> {history['final_loss']:.4f} on "
          f"{history['clips']} clips, wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
