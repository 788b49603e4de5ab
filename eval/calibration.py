"""Fitting Platt scaling (src/unspun/calibration.py) on held-apart scores: shared by the training scripts."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from unspun.calibration import logit


def platt(raw: list[float], right: list[bool]) -> tuple[float, float]:
    """Platt scaling: a, b minimising the log loss of sigmoid(a * logit(raw) + b) against right."""
    x = np.array([logit(v) for v in raw])
    y = np.array(right, dtype=float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = theta[0] * x + theta[1]
        p = 1 / (1 + np.exp(-z))
        eps = 1e-12
        value = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        grad = np.array([np.mean((p - y) * x), np.mean(p - y)])
        return float(value), grad

    fitted = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(fitted.x[0]), float(fitted.x[1])
