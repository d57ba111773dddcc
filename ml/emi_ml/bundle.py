"""Running a bundle on media with ONNX Runtime: clip-level predictions per branch and fused."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import manifest as mf
from . import faces, media, ort, segments
from .dataset import Clip


class Bundle:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.manifest = mf.read(self.path)
        self.branches = [b for b in ("audio", "visual") if b in self.manifest]
        self._sessions: dict[str, ort.Session] = {}

    def _session(self, branch: str, kind: str) -> ort.Session:
        key = f"{branch}.{kind}"
        if key not in self._sessions:
            self._sessions[key] = ort.Session(self.path / self.manifest[branch][kind]["onnx"])
        return self._sessions[key]

    def audio_features(self, segs: np.ndarray) -> np.ndarray:
        """The audio backbone graph: waveform segments [B, samples] -> features [B, steps, D]."""
        b = self.manifest["audio"]["backbone"]
        return self._session("audio", "backbone").run([b["output"]["name"]], {b["input"]["name"]: segs})[0]

    def visual_features(self, segs: np.ndarray) -> np.ndarray:
        """The visual backbone graph, frame by frame when its batch is fixed: [B, T, 3, H, W] -> [B, T, D]."""
        b = self.manifest["visual"]["backbone"]
        flat = segs.reshape((-1,) + segs.shape[2:])
        session = self._session("visual", "backbone")
        pre = b.get("preprocess")
        if pre is not None:
            if "visual.preprocess" not in self._sessions:
                self._sessions["visual.preprocess"] = ort.Session(self.path / pre["onnx"])
            prep = self._sessions["visual.preprocess"]
            flat = np.concatenate([prep.run([pre["output"]["name"]], {pre["input"]["name"]: flat[i:i + 1]})[0]
                                   for i in range(len(flat))]) if len(flat) else flat
        if b["input"]["shape"][0] == 1:
            rows = [session.run([b["output"]["name"]], {b["input"]["name"]: flat[i:i + 1]})[0] for i in range(len(flat))]
            feats = np.concatenate(rows) if rows else np.zeros((0, b["output"]["shape"][1]), np.float32)
        else:
            feats = session.run([b["output"]["name"]], {b["input"]["name"]: flat})[0]
        return feats.reshape(segs.shape[:2] + (-1,))  # [.., D, 1, 1] pooled outputs flatten to D

    def audio_clip(self, pcm: np.ndarray) -> np.ndarray:
        a = self.manifest["audio"]
        segs = segments.audio_segments(pcm, a["sample_rate"], a["segment_seconds"],
                                       a.get("receptive_field_samples", 400))
        h = a["head"]
        out = self._session("audio", "head").run([h["outputs"]["emi_segment"]["name"]],
                                                 {h["inputs"]["features"]["name"]: self.audio_features(segs)})[0]
        return out.mean(axis=0)

    def visual_clip(self, frames: np.ndarray) -> np.ndarray:
        """Whole frames (uint8 [T, H, W, 3]) -> the clip's visual EMI."""
        v = self.manifest["visual"]
        x = media.normalise_frames(frames, v["mean"], v["std"])
        segs = segments.visual_segments(x, v["frame_rate"], v["segment_seconds"])
        out = self._session("visual", "head").run([v["head"]["outputs"]["emi_segment"]["name"]], self._visual_inputs(segs))[0]
        return out.mean(axis=0)

    def visual_face_clip(self, path: Path) -> np.ndarray | None:
        """The face stage's crops -> the mean per-step EMI over the frames with the tracked face (None: no face)."""
        v = self.manifest["visual"]
        crops, boxes, aus = faces.face_crops(path, v, self.path)
        seen = np.array([b is not None for b in boxes])
        segs = segments.visual_segments(crops, v["frame_rate"], v["segment_seconds"])
        mask = segments.visual_segments(seen, v["frame_rate"], v["segment_seconds"])
        if not mask.any():
            return None
        au_segs = segments.visual_segments(aus, v["frame_rate"], v["segment_seconds"])
        steps = self._session("visual", "head").run([v["head"]["outputs"]["emi_steps"]["name"]], self._visual_inputs(segs, au_segs))[0]
        return steps[mask].mean(axis=0)

    def _visual_inputs(self, segs: np.ndarray, aus: np.ndarray | None = None) -> dict:
        """Without a face stage's action-unit model the aus input is zeros (no pretrained AU extractor is reachable here)."""
        v = self.manifest["visual"]
        if aus is None:
            aus = np.zeros(segs.shape[:2] + (v["action_units"],), dtype=np.float32)
        h = v["head"]
        return {h["inputs"]["features"]["name"]: self.visual_features(segs), h["inputs"]["aus"]["name"]: aus}

    def predict(self, clip: Clip) -> dict[str, np.ndarray]:
        """{'audio': [6], 'visual': [6], 'fused': [6]} for the branches the bundle and clip share."""
        preds = {}
        if "audio" in self.branches and clip.has_audio:
            preds["audio"] = self.audio_clip(media.decode_audio(clip.path, self.manifest["audio"]["sample_rate"]))
        if "visual" in self.branches and clip.has_video:
            v = self.manifest["visual"]
            if "face" in v:
                face = self.visual_face_clip(clip.path)
                if face is not None:
                    preds["visual"] = face
            else:
                h, w = v["image_size"]
                preds["visual"] = self.visual_clip(media.decode_frames(clip.path, v["frame_rate"], h, w))
        if preds:
            preds["fused"] = self.fuse(preds)
        return preds

    def fuse(self, preds: dict[str, np.ndarray]) -> np.ndarray:
        """Weighted mean over the branches present, weights renormalised (a one-branch clip gets that branch)."""
        weights = {b: self.manifest["fusion"].get(b, 0.0) for b in preds if b in ("audio", "visual")}
        total = sum(weights.values())
        if total <= 0:
            weights, total = {b: 1.0 for b in weights}, float(len(weights))
        return sum(preds[b] * (w / total) for b, w in weights.items())

    def close(self) -> None:
        for s in self._sessions.values():
            s.close()
        self._sessions.clear()
