"""Lasting shifts in a series of runs, not one-run blips (in the spirit of asv's step detection).

The series (log values, so shifts are relative) is fitted by a piecewise-constant function
minimising the sum of absolute deviations from each segment's median plus a penalty per
segment (an exact dynamic programme, O(n^2) segments). Segments hold at least `min_size`
runs, so one odd run never makes a shift, including the latest one. Neighbouring segments
whose medians differ by no more than `threshold` are merged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_NOISE = 0.005  # a floor on the noise scale (0.5%): identical values must not make every step "significant"


@dataclass(frozen=True)
class Shift:
    index: int  # position of the first run at the new level
    before: float  # median of the segment before
    after: float  # median of the segment from `index` on

    @property
    def relative(self) -> float:
        return self.after / self.before - 1.0


def noise_scale(logs: np.ndarray) -> float:
    """Robust per-run noise of a log series from successive differences (MAD / sqrt 2)."""
    if logs.size < 3:
        return MIN_NOISE
    return max(MIN_NOISE, 1.4826 * float(np.median(np.abs(np.diff(logs)))) / math.sqrt(2.0))


def _segments(logs: np.ndarray, penalty: float, min_size: int) -> list[int]:
    """Start indices of the optimal segments (the first is 0)."""
    n = logs.size
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    start = np.zeros(n + 1, dtype=int)
    for j in range(min_size, n + 1):
        for i in range(0, j - min_size + 1):
            if not np.isfinite(best[i]):
                continue
            seg = logs[i:j]
            cost = best[i] + float(np.abs(seg - np.median(seg)).sum()) + penalty
            if cost < best[j]:
                best[j], start[j] = cost, i
    bounds, j = [], n
    while j > 0:
        bounds.append(int(start[j]))
        j = start[j]
    return sorted(bounds)


def detect_shifts(values, threshold: float = 0.10, noise: float | None = None, min_size: int = 2,
                  penalty: float = 4.0) -> list[Shift]:
    """Lasting level shifts of more than `threshold` (relative) in a series of positive values.

    `noise` is the per-run relative spread (from calibration); estimated from the series when None.
    `penalty` is the cost of one more segment, in units of that noise.
    """
    x = np.asarray(values, dtype=float)
    if x.size < 2 * min_size or not np.all(np.isfinite(x)) or np.any(x <= 0):
        return []
    logs = np.log(x)
    scale = max(MIN_NOISE, math.log1p(noise)) if noise is not None else noise_scale(logs)
    starts = _segments(logs / scale, penalty, min_size)
    while True:  # merge the smallest step that does not clear the threshold, until none is left
        medians = [float(np.median(x[s:e])) for s, e in zip(starts, starts[1:] + [x.size], strict=True)]
        steps = [abs(math.log(medians[k + 1] / medians[k])) for k in range(len(medians) - 1)]
        small = [k for k, s in enumerate(steps) if s <= math.log1p(threshold)]
        if not small:
            break
        del starts[min(small, key=lambda k: steps[k]) + 1]
    return [Shift(starts[k + 1], medians[k], medians[k + 1]) for k in range(len(medians) - 1)]
