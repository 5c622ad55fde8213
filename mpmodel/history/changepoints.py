"""Lasting shifts in a series of runs, not one-run blips (in the spirit of asv's step detection).

The series (log values, so shifts are relative) is fitted by a piecewise-constant function
minimising the sum of absolute deviations from each segment's median plus a penalty per
segment: the exact optimum of the exhaustive dynamic programme, found with PELT's pruning (`_segments`), which
keeps a stable series' search near linear in its runs. Segments hold at least `min_size`
runs, so one odd run never makes a shift, including the latest one. Neighbouring segments
whose medians differ by no more than `threshold` are merged.
"""

from __future__ import annotations

import heapq
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


class _Deviation:
    """A growing segment's sum of absolute deviations from its median, kept in two heaps: each value added
    costs O(log n) and the sum is read in O(1), where recomputing it would cost the segment's length."""

    def __init__(self):
        self.low: list[float] = []  # the lower half, negated (a max-heap); holds the median
        self.high: list[float] = []  # the upper half
        self.sum_low = self.sum_high = 0.0

    def add(self, x: float) -> None:
        if self.low and x > -self.low[0]:
            heapq.heappush(self.high, x)
            self.sum_high += x
        else:
            heapq.heappush(self.low, -x)
            self.sum_low += x
        if len(self.low) > len(self.high) + 1:
            moved = -heapq.heappop(self.low)
            self.sum_low -= moved
            heapq.heappush(self.high, moved)
            self.sum_high += moved
        elif len(self.high) > len(self.low):
            moved = heapq.heappop(self.high)
            self.sum_high -= moved
            heapq.heappush(self.low, -moved)
            self.sum_low += moved

    def cost(self) -> float:
        median = -self.low[0]
        return (self.sum_high - len(self.high) * median) + (len(self.low) * median - self.sum_low)


def _segments(logs: np.ndarray, penalty: float, min_size: int) -> list[int]:
    """Start indices of the optimal segments (the first is 0), by dynamic programming with PELT's pruning
    (Killick et al. 2012): a segment's cost, the absolute deviations from its median, never grows when
    the segment is split, so a start that cannot beat the best cost now never will, and is dropped. The
    optimum is the exhaustive search's; a stable series keeps few starts, and each start's cost grows by
    one heap insertion a run, so 10,000 runs take a fraction of a second instead of hours."""
    n = logs.size
    values = [float(v) for v in logs]
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    start = np.zeros(n + 1, dtype=int)
    open_segments: dict[int, _Deviation] = {}
    for j in range(min_size, n + 1):
        newest = j - min_size  # the newest start that leaves a segment of min_size
        if np.isfinite(best[newest]):
            open_segments[newest] = _Deviation()
            for v in values[newest:j - 1]:
                open_segments[newest].add(v)
        costs = {}
        for i, segment in open_segments.items():
            segment.add(values[j - 1])
            costs[i] = best[i] + segment.cost()
            if costs[i] + penalty < best[j]:
                best[j], start[j] = costs[i] + penalty, i
        for i in [i for i, c in costs.items() if c > best[j]]:
            del open_segments[i]
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
