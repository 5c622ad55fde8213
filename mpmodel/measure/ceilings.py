"""The step's speed of light and what follows from it: the matmul TFLOP/s a dtype reaches here, a step's
efficiency (speed of light / measured step time) and a mixed policy's speedup ceiling (float32's speed
of light / the mixed one's). A speedup gate's message says where the speed went with them: into the
kernels (the ceiling itself is low) or into the step around them (the efficiency is).

Plain Python: the matmuls are any callable `run(k)` that does them k times and syncs once.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mpmodel.measure.expectations import NO_ROW, PARTIAL_CEILING, Expectation
from mpmodel.measure.rounds import WARMUP_MIN_S, steps_per_round, warm_up

SOL_WARMUP_ROUNDS = 2
SOL_ROUNDS = 7  # at most; fewer (3 at least) where rounds are long, so that timing them takes about 3 s
SOL_BUDGET_S = 3.0
# A harness-check profile (tiny) gates no speedup: its speed of light is shown and recorded, so it is timed
# briefly (1.5 s a dtype instead of 5).
HARNESS_SOL_WARMUP_S, HARNESS_SOL_BUDGET_S = 0.5, 1.0

# Where the expectations table has no row (a device class or backend nobody has measured yet), the gate
# asks for a share of the gain the device's own mixed matmuls show. On a Zen 4 EPYC the bf16 steps kept
# 76-90% of their ceiling's gain (TensorFlow: 1.64x of 1.84x, 1.73x of 1.81x; PyTorch: 3.38x of 3.72x,
# 3.57x of 4.32x), and JAX kept none of a ceiling under 1; half the gain leaves room for the CI's lower
# bound and for steps with more non-matmul work. Below a 1.2x ceiling no speedup is expected at all.
CEILING_GAIN_SHARE = 0.5
CEILING_MIN = 1.2


@dataclass(frozen=True)
class SpeedOfLight:
    """One step's kernels alone, in one compute dtype: seconds per step (median over rounds)."""

    seconds: float
    flops: int
    steps_per_round: int
    error: str | None = None  # the kernels would not run here (the op has no kernel in this dtype): its one line

    @property
    def tflops(self) -> float:
        return self.flops / self.seconds / 1e12


def measure_speed_of_light(run: Callable[[int], object], flops: int, rounds: int = SOL_ROUNDS,
                           warmup_s: float = WARMUP_MIN_S, clock: Callable[[], float] = time.perf_counter,
                           budget_s: float = SOL_BUDGET_S) -> SpeedOfLight:
    """Warm up, pick K by time as the step timing does, call K once untimed, then the median per-step time over
    `rounds` rounds.
    Matmuls whose one call outlasts the whole budget (PyTorch bf16 on a CPU without AVX-512: 24 s at `small`)
    are timed once more after that call and no further: that they crawl is all the run needs to know."""
    start = clock()
    run(1)
    first = clock() - start
    if first > budget_s:
        start = clock()
        run(1)
        return SpeedOfLight(clock() - start, flops, 1)
    warm = warm_up(run, SOL_WARMUP_ROUNDS, max(0.0, warmup_s - first), clock=clock)
    k = steps_per_round(warm.step_s)
    rounds = max(3, min(rounds, int(budget_s / (k * warm.step_s))))
    if k > 1:
        run(k)  # untimed: a compiled loop of K iterations compiles on its first call
    times = []
    for _ in range(rounds):
        start = clock()
        run(k)
        times.append((clock() - start) / k)
    return SpeedOfLight(statistics.median(times), flops, k)


def efficiency(sol: SpeedOfLight, step_s: float) -> float:
    """The share of the step's time its matmuls would take alone: 1 is a step that is all matmul."""
    return sol.seconds / step_s


@dataclass(frozen=True)
class Ceiling:
    """A mixed policy against float32: the kernels' speedup alone, and each step's efficiency."""

    float32: SpeedOfLight
    mixed: SpeedOfLight
    float32_step_s: float
    mixed_step_s: float

    @property
    def value(self) -> float:
        return self.float32.seconds / self.mixed.seconds

    @property
    def float32_efficiency(self) -> float:
        return efficiency(self.float32, self.float32_step_s)

    @property
    def mixed_efficiency(self) -> float:
        return efficiency(self.mixed, self.mixed_step_s)

    def describe(self) -> str:
        return (f"the kernels alone reach {self.value:.2f}x (float32 {self.float32.tflops:.3g}, mixed "
                f"{self.mixed.tflops:.3g} TFLOP/s); step efficiency float32 {self.float32_efficiency:.2f}, "
                f"mixed {self.mixed_efficiency:.2f}")

    def where_the_speed_went(self, minimum: float) -> str:
        """For a failed gate: the kernels, when the kernels alone do not reach the minimum; else the step."""
        if self.value < minimum:
            return (f"the kernels: the mixed kernels alone reach only {self.value:.2f}x float32's "
                    f"({self.mixed.tflops:.3g} against {self.float32.tflops:.3g} TFLOP/s)")
        return (f"the step around the kernels: the kernels alone reach {self.value:.2f}x, but the steps run at "
                f"efficiency float32 {self.float32_efficiency:.2f}, mixed {self.mixed_efficiency:.2f}")


def no_light(light: Sequence[SpeedOfLight]) -> str | None:
    """Why these speeds of light give no ceiling (one failed, or the step has no counted kernels); None where they do."""
    for sol in light:
        if sol.error is not None:
            return f"the speed of light failed: {sol.error}"
        if not sol.flops or not math.isfinite(sol.seconds) or sol.seconds <= 0:
            return "the step has no counted kernels"
    return None


def from_ceiling(expectation: Expectation, ceiling: float | None, uncounted: Sequence[str] = (),
                 missing: str = "") -> Expectation:
    """The table's expectation, or where the table has no row, one set by the measured ceiling (float32's speed
    of light / the mixed policy's); none where the ceiling is partial (`uncounted`: the layers its kernels leave
    out) or missing (`ceiling` None, `missing` why), which then records and skips saying so rather than deciding
    from part of the step or from nothing."""
    if expectation.source != NO_ROW:
        return expectation
    c = ceiling
    if c is None:
        return Expectation(expectation.device_class, expectation.policy, None,
                           f"no ceiling to set a floor from ({missing}); --mp-min-speedup sets one",
                           source=PARTIAL_CEILING)
    if uncounted:
        return Expectation(expectation.device_class, expectation.policy, None,
                           f"the ceiling {c:.2f}x is partial, its kernels leaving out {', '.join(uncounted)}, so it sets "
                           "no floor; --mp-min-speedup sets one, and the workload's step_kernels complete the ceiling",
                           source=PARTIAL_CEILING)
    if c < CEILING_MIN:
        return Expectation(expectation.device_class, expectation.policy, None,
                           f"the device's own {expectation.policy} matmuls reach only {c:.2f}x float32's "
                           f"(under {CEILING_MIN}x)", source="measured ceiling")
    minimum = round(1 + CEILING_GAIN_SHARE * (c - 1), 2)
    return Expectation(expectation.device_class, expectation.policy, minimum,
                       f"no table row; the device's own {expectation.policy} matmuls reach {c:.2f}x float32's, and "
                       f"the gate asks for {CEILING_GAIN_SHARE:.0%} of that gain", source="measured ceiling")
