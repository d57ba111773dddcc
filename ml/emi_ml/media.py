"""Decoding media with ffprobe/ffmpeg child processes: 16 kHz mono PCM and RGB frames."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class MediaError(ValueError):
    pass


@dataclass(frozen=True)
class Probe:
    has_audio: bool
    has_video: bool
    duration: float | None


def _run(cmd: list[str], what: Path) -> bytes:
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except FileNotFoundError:
        raise MediaError(f"{cmd[0]} is not installed (Debian package ffmpeg)") from None
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise MediaError(f"{what}: unreadable media ({lines[-1] if lines else f'{cmd[0]} exit {done.returncode}'})")
    return done.stdout


def probe(path: Path) -> Probe:
    out = _run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type:format=duration",
                "-of", "json", str(path)], path)
    info = json.loads(out or b"{}")
    kinds = {s.get("codec_type") for s in info.get("streams", [])}
    if not kinds & {"audio", "video"}:
        raise MediaError(f"{path}: unreadable media (no audio or video stream)")
    duration = info.get("format", {}).get("duration")
    return Probe("audio" in kinds, "video" in kinds, float(duration) if duration not in (None, "N/A") else None)


def decode_audio(path: Path, sample_rate: int = 16000) -> np.ndarray:
    """The first audio stream as mono float32 PCM in [-1, 1]."""
    out = _run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-vn",
                "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-"], path)
    pcm = np.frombuffer(out, dtype="<f4")
    if pcm.size == 0:
        raise MediaError(f"{path}: the audio stream decodes to no samples")
    return pcm.astype(np.float32)


def resize_filter(height: int, width: int) -> str:
    """The bundle's "cover_center_crop": cover the target keeping the aspect ratio, crop the centre."""
    return f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}"


def decode_frames(path: Path, frame_rate: float, height: int, width: int) -> np.ndarray:
    """The first video stream at `frame_rate`, as uint8 RGB [frames, height, width, 3]."""
    out = _run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v:0", "-an",
                "-vf", f"fps={frame_rate},{resize_filter(height, width)}",
                "-pix_fmt", "rgb24", "-f", "rawvideo", "-"], path)
    frame_bytes = height * width * 3
    if len(out) < frame_bytes:
        raise MediaError(f"{path}: the video stream decodes to no frames")
    return np.frombuffer(out[: len(out) // frame_bytes * frame_bytes], dtype=np.uint8).reshape(-1, height, width, 3)


def normalise_frames(frames: np.ndarray, mean, std) -> np.ndarray:
    """uint8 [T, H, W, 3] -> float32 [T, 3, H, W], scaled to [0, 1] then standardised per channel."""
    x = frames.astype(np.float32).transpose(0, 3, 1, 2) / 255.0
    return (x - np.asarray(mean, np.float32).reshape(1, 3, 1, 1)) / np.asarray(std, np.float32).reshape(1, 3, 1, 1)
