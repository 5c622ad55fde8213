"""Statistics for the gates: medians with distribution-free confidence intervals (timings), and a mean
with its Student-t bound (paired accuracy differences).

Plain numpy, scipy and the standard library only; nothing here imports TensorFlow or pytest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import t


@dataclass(frozen=True)
class Estimate:
    """A median with a confidence interval and what it was computed from."""

    value: float
    low: float
    high: float
    n: int
    confidence: float


def _as_sample(values, name: str = "values") -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise ValueError(f"{name}: empty sample")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: sample holds NaN or infinite values")
    return x


def order_statistic_ranks(n: int, confidence: float = 0.95) -> tuple[int, int]:
    """1-based ranks (k, n + 1 - k) whose order statistics bracket the median.

    k is the largest rank with P(Binomial(n, 1/2) < k) <= (1 - confidence) / 2, so the
    interval [x_(k), x_(n+1-k)] covers the true median with probability >= confidence
    for any continuous distribution.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    alpha_half = (1.0 - confidence) / 2.0
    tail = 0.0  # P(B < k) for the current k
    k = 0
    while k < n:
        next_tail = tail + math.comb(n, k) / 2.0**n  # P(B < k + 1)
        if next_tail > alpha_half:
            break
        tail = next_tail
        k += 1
    if k == 0:
        raise ValueError(
            f"{n} values are too few for a {confidence:.0%} interval on the median "
            f"(need at least {min_sample_size(confidence)})"
        )
    return k, n + 1 - k


def median_ci_error(n: int, confidence: float) -> float:
    """The error an order-statistic interval on the median of n values at `confidence` really has (both tails):
    its ranks are whole, so it covers the median more often than asked, often much more."""
    k, _ = order_statistic_ranks(n, confidence)
    return 2.0 * sum(math.comb(n, i) for i in range(k)) / 2.0**n


def min_sample_size(confidence: float = 0.95) -> int:
    """Smallest n for which an order-statistic interval on the median exists."""
    n = 1
    while 2.0 / 2.0**n > 1.0 - confidence:
        n += 1
    return n


def median_ci(values, confidence: float = 0.95) -> Estimate:
    """Median and its distribution-free confidence interval from order statistics."""
    x = np.sort(_as_sample(values))
    lo, hi = order_statistic_ranks(x.size, confidence)
    return Estimate(float(np.median(x)), float(x[lo - 1]), float(x[hi - 1]), x.size, confidence)


def paired_ratio(numerators, denominators, confidence: float = 0.95) -> Estimate:
    """Median of per-pair ratios a_i / b_i with its confidence interval.

    For interleaved timings (a_i, b_i) measured side by side, the speedup of b over a is
    `paired_ratio(a, b)`: drift that slows both members of a pair cancels in the ratio.
    """
    a = _as_sample(numerators, "numerators")
    b = _as_sample(denominators, "denominators")
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in length: {a.size} and {b.size}")
    if np.any(b <= 0) or np.any(a <= 0):
        raise ValueError("paired ratio needs positive values")
    return median_ci(a / b, confidence)



def mean_lower_bound(values, confidence: float = 0.95, least_sd: float = 0.0) -> Estimate:
    """The mean with its one-sided Student-t lower confidence bound (`low`) and the matching upper bound
    (`high`): [low, high] is the two-sided interval at 2 * confidence - 1. `least_sd`: the smallest spread the
    values can show (their resolution: one test image for accuracies), used where their own sd is smaller, so
    that a few equal values (a tie at a resolution, not a measured zero spread) do not give a bound of no width.

    For paired differences (mixed minus float32 per seed), `low >= -tolerance` shows at `confidence` that
    the true drop is smaller than the tolerance: a non-inferiority test. A spread-out sample widens the
    bound, so too few or too scattered pairs fail to show it rather than passing on luck.
    """
    x = _as_sample(values)
    if x.size < 2:
        raise ValueError(f"{x.size} value is too few for a confidence bound on the mean (need at least 2)")
    if not 0.5 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0.5 and 1, got {confidence}")
    mean = float(x.mean())
    half = float(t.ppf(confidence, x.size - 1)) * max(float(x.std(ddof=1)), least_sd) / math.sqrt(x.size)
    return Estimate(mean, mean - half, mean + half, x.size, confidence)
