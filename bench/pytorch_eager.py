"""PyTorch eager throughput of a bundle's model on a recording, for `emi bench throughput`.

Rebuilds the bundle's PyTorch modules from its manifest (preset + seed: the same weights the ONNX files were
exported from), decodes the recording with the same ffmpeg filters as the C# engine, cuts the same 12 s
segments, and times eager inference on the first --segments segments of each branch (eager PyTorch is too
slow to run a long recording whole; the figure is recording seconds per wall second over those segments).
Prints one JSON object on stdout.

    PYTHONPATH=ml /usr/bin/python3 bench/pytorch_eager.py --bundle DIR --recording FILE [--segments 2] [--threads 0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from emi_ml import media, weights
from emi_ml.config import preset as get_preset


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True, type=Path)
    ap.add_argument("--recording", required=True, type=Path)
    ap.add_argument("--segments", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    manifest = json.loads((args.bundle / "manifest.json").read_text())
    build = manifest.get("build", {})
    preset_name = build.get("preset") or manifest.get("preset")
    seed = build.get("seed")
    if preset_name is None or seed is None or any(build.get("weights", {}).get(b, {}).get("trained") for b in ("audio", "visual")):
        print("bundle is not an untrained preset export; cannot rebuild its PyTorch model", file=sys.stderr)
        return 2
    preset = get_preset(preset_name)
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    result = {"preset": preset_name, "torch": torch.__version__, "threads": torch.get_num_threads(), "segments": args.segments}
    seconds_per_second = 0.0  # wall seconds spent per second of recording, summed over branches
    with torch.no_grad():
        if "audio" in manifest:
            a = manifest["audio"]
            model = weights.build("audio", preset, seed).eval()
            pcm = media.decode_audio(args.recording, a["sample_rate"])
            seg = int(round(a["segment_seconds"] * a["sample_rate"]))
            hop = seg - int(round(a["overlap_seconds"] * a["sample_rate"]))
            starts = [s for s in range(0, max(1, len(pcm) - seg + 1), hop)][: args.segments]
            model(torch.from_numpy(pcm[:seg].copy()).unsqueeze(0))  # warm-up
            t0 = time.perf_counter()
            for s in starts:
                model(torch.from_numpy(pcm[s : s + seg].copy()).unsqueeze(0))
            wall = time.perf_counter() - t0
            covered = len(starts) * hop / a["sample_rate"]
            result["audio_seconds_per_second"] = covered / wall
            seconds_per_second += wall / covered
        if "visual" in manifest:
            v = manifest["visual"]
            model = weights.build("visual", preset, seed).eval()
            h, w = v["image_size"]
            frames = media.normalise_frames(media.decode_frames(args.recording, v["frame_rate"], h, w), v["mean"], v["std"])
            seg = int(round(v["segment_seconds"] * v["frame_rate"]))
            hop = seg - int(round(v["overlap_seconds"] * v["frame_rate"]))
            starts = [s for s in range(0, max(1, len(frames) - seg + 1), hop)][: args.segments]
            aus = torch.zeros(1, seg, v["action_units"])
            model(torch.from_numpy(frames[:seg].copy()).unsqueeze(0), aus)  # warm-up
            t0 = time.perf_counter()
            for s in starts:
                model(torch.from_numpy(frames[s : s + seg].copy()).unsqueeze(0), aus)
            wall = time.perf_counter() - t0
            covered = len(starts) * hop / v["frame_rate"]
            result["visual_seconds_per_second"] = covered / wall
            seconds_per_second += wall / covered
    result["throughput"] = 1.0 / seconds_per_second
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
