"""Classification and calibration metrics shared by training, evaluation and retraining."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, brier_score_loss, confusion_matrix, f1_score, roc_auc_score


def _risk_bins(p: np.ndarray, bins: int) -> np.ndarray:
    """The equal-width risk bin (0 .. bins - 1) of each prediction."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    return np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)


def expected_calibration_error(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> float:
    """Mean |observed hoax share - mean predicted risk| over equal-width risk bins, weighted by bin size."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if len(y) == 0:
        return float("nan")
    which = _risk_bins(p, bins)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(y[mask].mean() - p[mask].mean())
    return float(total / len(y))


def _ece_rows(which: np.ndarray, y: np.ndarray, p: np.ndarray, bins: int) -> np.ndarray:
    """ECE of each row of (draws x n) bins, labels and risks: sum over bins of |hoaxes - summed risk| / n."""
    draws, n = which.shape
    slots = (which + bins * np.arange(draws)[:, None]).ravel()
    hoaxes = np.bincount(slots, weights=y.ravel(), minlength=draws * bins).reshape(draws, bins)
    risk = np.bincount(slots, weights=p.ravel(), minlength=draws * bins).reshape(draws, bins)
    return np.asarray(np.abs(hoaxes - risk).sum(axis=1) / n)


def ece_if_calibrated(p: np.ndarray, *, bins: int = 10, draws: int = 2000, seed: int = 0) -> np.ndarray:
    """ECEs a perfectly calibrated model would show at these risks (labels drawn as y ~ Bernoulli(p)): the noise
    floor of the ECE at this sample size, under which no measured ECE says anything about calibration."""
    p = np.asarray(p, dtype=float)
    rng = np.random.default_rng(seed)
    y = (rng.random((draws, len(p))) < p).astype(float)
    return _ece_rows(np.broadcast_to(_risk_bins(p, bins), y.shape), y, np.broadcast_to(p, y.shape), bins)


def ece_bootstrap(y: np.ndarray, p: np.ndarray, *, bins: int = 10, draws: int = 2000, seed: int = 0) -> np.ndarray:
    """ECEs of bootstrap resamples of (y, p): how far the measured ECE moves with the sample."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    rows = np.random.default_rng(seed).integers(0, len(y), size=(draws, len(y)))
    return _ece_rows(_risk_bins(p, bins)[rows], y[rows], p[rows], bins)


def reliability_curve(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> list[dict[str, float]]:
    """Per risk bin: mean predicted risk, observed hoax share and count (for reliability plots)."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    which = _risk_bins(p, bins)
    out = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            out.append({"predicted": float(p[mask].mean()), "observed": float(y[mask].mean()), "n": int(mask.sum())})
    return out


def classification_metrics(y: np.ndarray, p: np.ndarray, *, threshold: float) -> dict[str, Any]:
    """Accuracy, macro-F1, ROC-AUC, Brier, ECE and the confusion matrix at `threshold` (y = 1 for hoax)."""
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    pred = (p >= threshold).astype(int)
    both = len(set(y.tolist())) == 2
    cm = confusion_matrix(y, pred, labels=[0, 1])
    return {
        "n": int(len(y)),
        "n_hoax": int(y.sum()),
        "threshold": round(float(threshold), 4),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if both else None,
        "brier": round(float(brier_score_loss(y, p, pos_label=1)), 4),
        "ece": round(expected_calibration_error(y, p), 4),
        # rows: true valid, true hoax; columns: predicted valid, predicted hoax
        "confusion_matrix": {"labels": ["valid", "hoax"], "matrix": cm.tolist()},
    }


def best_macro_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The risk threshold that maximises macro-F1 on (y, p); used on out-of-fold training predictions only."""
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    candidates = np.unique(np.round(p, 3))
    if len(candidates) > 200:
        candidates = np.quantile(p, np.linspace(0.01, 0.99, 199))
    best, best_f1 = 0.5, -1.0
    for t in candidates:
        f1 = f1_score(y, p >= t, average="macro", zero_division=0)
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best
