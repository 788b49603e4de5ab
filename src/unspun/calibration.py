"""Platt scaling: a raw score in [0, 1] mapped to sigmoid(a * logit(raw) + b), with (a, b) fitted at training time
(eval/calibration.py) so that the result is the share of such findings that are right."""

from __future__ import annotations

import math


def logit(p: float) -> float:
    """log(p / (1 - p)), p kept within [1e-6, 1 - 1e-6]."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def platt_probability(raw: float, a: float, b: float) -> float:
    """Platt scaling: sigmoid(a * logit(raw) + b); (1, 0) leaves raw as it is."""
    if (a, b) == (1.0, 0.0):
        return raw
    return 1.0 / (1.0 + math.exp(-(a * logit(raw) + b)))
