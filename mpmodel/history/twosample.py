"""Two independent samples (one benchmark in two runs): how much and how surely they differ.

The change is the ratio of medians after / before, with a percentile bootstrap CI; the
significance is a two-sided Mann-Whitney U test (exact for small samples without ties).
Both come from scipy, whose implementations are well tested and exact where ours would not be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

BOOTSTRAP_RESAMPLES = 4000


@dataclass(frozen=True)
class SampleChange:
    before: float  # median of the first sample
    after: float
    ratio: float  # after / before
    low: float  # bootstrap CI of the ratio
    high: float
    p_value: float  # Mann-Whitney U, two-sided
    n_before: int
    n_after: int
    confidence: float


def _sample(values, name):
    x = np.asarray(values, dtype=float).ravel()
    if x.size < 2:
        raise ValueError(f"{name}: need at least 2 values, got {x.size}")
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ValueError(f"{name}: values must be positive and finite")
    return x


def sample_change(before, after, confidence: float = 0.95, seed: int = 0) -> SampleChange:
    """Ratio of medians after/before with its bootstrap CI, and the Mann-Whitney U p-value."""
    a, b = _sample(before, "before"), _sample(after, "after")

    def ratio(x, y, axis=-1):
        return np.median(y, axis=axis) / np.median(x, axis=axis)

    boot = stats.bootstrap((a, b), ratio, n_resamples=BOOTSTRAP_RESAMPLES, confidence_level=confidence,
                           method="percentile", vectorized=True, random_state=np.random.default_rng(seed))
    p = stats.mannwhitneyu(a, b, alternative="two-sided").pvalue
    return SampleChange(float(np.median(a)), float(np.median(b)), float(ratio(a, b)),
                        float(boot.confidence_interval.low), float(boot.confidence_interval.high),
                        float(p), a.size, b.size, confidence)
