"""How a clip is cut into segments for a clip-level prediction (train and evaluate alike).

A clip of n items (samples or frames) becomes k = ceil(n / segment_length) segments of equal
length floor(n / k), so all fit one batch; the clip's prediction is the mean of the segments'
segment-level outputs. At most k - 1 trailing items are left out.
"""

from __future__ import annotations

import math

import numpy as np


def split(x: np.ndarray, segment_length: int, min_length: int = 1) -> np.ndarray:
    """[n, ...] -> [k, L, ...]; a clip shorter than min_length is zero-padded up to it."""
    if x.shape[0] < min_length:
        pad = np.zeros((min_length - x.shape[0],) + x.shape[1:], dtype=x.dtype)
        x = np.concatenate([x, pad])
    k = math.ceil(x.shape[0] / segment_length)
    length = x.shape[0] // k
    return x[: k * length].reshape((k, length) + x.shape[1:])


def audio_segments(pcm: np.ndarray, sample_rate: int, segment_seconds: float, min_samples: int) -> np.ndarray:
    """[samples] -> [k, L]."""
    return split(pcm, int(round(segment_seconds * sample_rate)), min_samples)


def visual_segments(frames: np.ndarray, frame_rate: float, segment_seconds: float) -> np.ndarray:
    """[T, ...] -> [k, L, ...]."""
    return split(frames, int(round(segment_seconds * frame_rate)))
