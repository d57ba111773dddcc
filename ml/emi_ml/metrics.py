"""The challenge metric and the training loss."""

from __future__ import annotations

import numpy as np
import torch

from . import EMOTIONS


def pearson_per_dimension(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pearson ρ of each column; nan where either column is constant (ρ is undefined there)."""
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape or pred.ndim != 2 or pred.shape[0] < 2:
        raise ValueError(f"need two [clips, dims] arrays with at least 2 clips, got {pred.shape} and {target.shape}")
    p = pred - pred.mean(axis=0)
    t = target - target.mean(axis=0)
    denom = np.sqrt((p * p).sum(axis=0) * (t * t).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (p * t).sum(axis=0) / denom, np.nan)


def challenge_score(pred: np.ndarray, target: np.ndarray) -> dict:
    """Per-emotion ρ and their mean: the EMI challenge metric."""
    rho = pearson_per_dimension(pred, target)
    return {"pearson": dict(zip(EMOTIONS, (float(r) for r in rho))), "mean_pearson": float(np.mean(rho))}


def loss(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """MSE + (1 - mean over dimensions of the batch's Pearson ρ)."""
    mse = torch.mean((pred - target) ** 2)
    p = pred - pred.mean(dim=0)
    t = target - target.mean(dim=0)
    rho = (p * t).sum(dim=0) / torch.sqrt((p * p).sum(dim=0) * (t * t).sum(dim=0) + eps)
    return mse + (1.0 - rho.mean())
