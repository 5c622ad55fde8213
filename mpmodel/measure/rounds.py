"""Timed rounds of K steps: how many steps a round holds, how long to warm up, and K-step rounds
timed by pytest-benchmark as time per step.

A round ends with one host sync, so its fixed cost (the sync, the call) is shared by K steps.
K and the warm-up are chosen by time, not by count: K steps of the warm-up's single-step time last at
least `ROUND_TARGET_S`, so the sync is a small share of a round on any device, and the warm-up lasts
at least `WARMUP_MIN_S`, so tracing is done and a GPU's clocks have settled. Plain Python: a round is
any callable `run(k)`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

TIMING_METHOD = "multi-step rounds"  # saved with every run: runs timed otherwise (single calls) differ in kind
ROUND_TARGET_S = 0.2  # a round at least this long: a sync of even 1 ms is then at most 0.5% of it
WARMUP_MIN_S = 2.0  # tracing, compiling and a GPU's boost clock settle within this on the machines measured
MAX_STEPS_PER_ROUND = 1024


def steps_per_round(step_s: float, target_s: float = ROUND_TARGET_S, most: int = MAX_STEPS_PER_ROUND) -> int:
    """The power of two of steps that makes a round last at least `target_s` (1 for a step that long).
    Powers of two keep K the same between runs on one machine, whose step times differ by noise."""
    if not step_s > 0 or not math.isfinite(step_s):
        raise ValueError(f"step time {step_s!r} s: expected a positive number")
    need = max(1.0, target_s / step_s)
    return min(most, 2 ** math.ceil(math.log2(need)))


@dataclass(frozen=True)
class WarmUp:
    rounds: int  # single-step rounds run
    seconds: float
    step_s: float  # median of the last single-step rounds: the estimate K is chosen from


def warm_up(run: Callable[[int], object], min_rounds: int, min_seconds: float = WARMUP_MIN_S,
            clock: Callable[[], float] = time.perf_counter) -> WarmUp:
    """Single-step rounds until both `min_rounds` and `min_seconds` are reached."""
    start, times = clock(), []
    while len(times) < max(1, min_rounds) or clock() - start < min_seconds:
        t0 = clock()
        run(1)
        times.append(clock() - t0)
    return WarmUp(len(times), clock() - start, statistics.median(times[-max(1, min_rounds):]))


SINGLE_CALLS, SINGLE_BUDGET_S, SINGLE_LEAST = 7, 2.0, 3  # test_step_time's single train_on_batch calls
SPEEDUP_WARMUP_PAIRS = 2  # test_speedup's untimed interleaved pairs before its timed ones


def median_call_s(call: Callable[[], object], calls: int = SINGLE_CALLS, budget_s: float = SINGLE_BUDGET_S,
                  least: int = SINGLE_LEAST,
                  clock: Callable[[], float] = time.perf_counter) -> float:
    """The median time of up to `calls` calls, e.g. single `train_on_batch` calls, host overhead and sync
    included; after `least` calls it stops once `budget_s` is spent, so a slow step (bf16 on a CPU
    without bf16 instructions) costs a few calls, not `calls`."""
    start, times = clock(), []
    while len(times) < calls and (len(times) < least or clock() - start < budget_s):
        t0 = clock()
        call()
        times.append(clock() - t0)
    return statistics.median(times)


class PerStep:
    """A K-step round as pytest-benchmark's `pedantic(..., iterations=K)`: the first call of each K runs the
    whole round (K steps, one sync) and the other K - 1 return at once, so pytest-benchmark, which divides
    each round's time by its iterations, reports the time per step."""

    def __init__(self, run: Callable[[int], object], steps: int):
        self.run, self.steps, self._calls = run, steps, 0

    def __call__(self) -> None:
        if self._calls % self.steps == 0:
            self.run(self.steps)
        self._calls += 1
