"""The real training step, probed before anything is planned or judged: what the probe measured, the limits
it ran under and the crawl rule that follows from it.

Before the benchmarks run, each policy's model is built and its first steps timed in a child process
(mpmodel.plugin.step_child), every step under a time limit, so a step that crawls costs the limit, not
hours. float32 is probed first; a mixed policy's limits follow from float32's measured steps. Plain Python.

The crawl rule: a mixed step more than `CRAWL_FACTOR` times float32's is a finding, not something to time.
The slowest honest mixed steps measured on the suite's machines ran 1.6x float32's (bf16 on an Intel Xeon
without AMX, TensorFlow, small: 165 against 105 ms) and their matmuls alone 2.9x (the same Xeon: 0.082 against
0.244 TFLOP/s); the crawls measured ran 240-680x (TensorFlow's fused float16 MatMul+BiasAdd on Intel Xeons,
68 s against 0.1 s) and 150x (PyTorch bf16 on an AVX2 EPYC). 10x sits well above every honest slowdown and
well below every crawl; timed as the others are, a 10x policy alone would cost ten float32 runs.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

CRAWL_FACTOR = 10.0
PROBE_STEPS = 3  # timed after the first (build, trace, compile and one step)
# The first step of a mixed model may take CRAWL_FACTOR times float32's first step (building, tracing and
# compiling included), and at least this long: a float32 first step took 1.0 s at the small profile on an
# Intel Xeon (TensorFlow), so the limit there is 10 s; a GPU's XLA compile of the seed model raises it.
FIRST_STEP_FLOOR_S = 10.0
# A later step may take 3 * CRAWL_FACTOR times float32's, at least this long, so a step between 10x and 30x
# float32's is measured whole, not cut at the limit.
STEP_FLOOR_S = 2.0
STEP_MEASURE_FACTOR = 3.0
BASELINE_LIMIT_S = 600.0  # float32 itself: one step of the seed model on a 2-core CPU takes 4-5 s


@dataclass(frozen=True)
class ProbedStep:
    """One model's first steps as the probe measured them."""

    policy: str
    first_s: float | None  # build, trace, compile and the first step; None where the probe stopped it
    steps: tuple[float, ...] = ()  # the later steps, each timed alone
    stopped_after_s: float | None = None  # the limit at which a step that had not finished was stopped
    error: str | None = None  # the child failed (out of memory, a crash): its last line
    remapping: bool = True  # TensorFlow's graph remapper on (the default), or off for the diagnosis
    round_steps: int = 0  # the steps of the round run back to back after the later steps (0: none was run)
    round_s: float | None = None  # that round's seconds, one host sync included

    @property
    def stopped(self) -> bool:
        return self.stopped_after_s is not None

    @property
    def step_s(self) -> float | None:
        """Seconds per step: the median of the later steps; where a step was stopped, the limit it outlasted
        (a lower bound; with no later step, the first step's); None where the child failed."""
        if self.error is not None:
            return None
        if self.stopped:
            return max(self.stopped_after_s, *self.steps) if self.steps else self.stopped_after_s
        if self.steps:
            return statistics.median(self.steps)
        return self.first_s

    @property
    def loop_step_s(self) -> float | None:
        """Seconds per step run back to back, as the suite's rounds and a fit run them: the round's where the
        probe ran one, else `step_s`."""
        if self.round_s is not None and self.round_steps and self.error is None and not self.stopped:
            return self.round_s / self.round_steps
        return self.step_s

    def short(self) -> str:
        """'1.01 s per step', 'over 10 s per step (stopped)'."""
        if self.error is not None:
            return "unknown (the probe failed)"
        return f"{'over ' if self.stopped else ''}{seconds(self.step_s)} per step{' (stopped)' if self.stopped else ''}"

    def describe(self) -> str:
        if self.error is not None:
            return f"the probe failed: {self.error}"
        if self.stopped and not self.steps:
            return f"over {self.stopped_after_s:.3g} s per step (its first step was stopped at {self.stopped_after_s:.3g} s)"
        if self.stopped:
            return f"over {self.step_s:.3g} s per step (a step was stopped at {self.stopped_after_s:.3g} s)"
        back_to_back = (f"; {seconds(self.loop_step_s)} a step in a round of {self.round_steps}"
                        if self.round_s is not None else "")
        return (f"{seconds(self.step_s)} per step (median of {len(self.steps)}; the first, compile included, "
                f"{seconds(self.first_s)}{back_to_back})")


def seconds(s: float) -> str:
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def first_step_limit(baseline: ProbedStep | None) -> float:
    """How long a model's build and first step may take: float32's own limit, else CRAWL_FACTOR times
    float32's first step, at least FIRST_STEP_FLOOR_S."""
    if baseline is None or baseline.first_s is None:
        return BASELINE_LIMIT_S
    return max(FIRST_STEP_FLOOR_S, CRAWL_FACTOR * baseline.first_s)


def step_limit(baseline: ProbedStep | None) -> float:
    """How long a later step may take: enough to measure a step up to 3 * CRAWL_FACTOR times float32's."""
    if baseline is None or baseline.step_s is None:
        return BASELINE_LIMIT_S
    return max(STEP_FLOOR_S, STEP_MEASURE_FACTOR * CRAWL_FACTOR * baseline.step_s)


def crawls(mixed: ProbedStep, baseline: ProbedStep, factor: float = CRAWL_FACTOR) -> bool:
    """Whether `mixed`'s step takes more than `factor` times float32's (a stopped step: by its lower bound)."""
    if mixed.step_s is None or baseline.step_s is None:
        return False
    return mixed.step_s > factor * baseline.step_s


def slowdown(mixed: ProbedStep, baseline: ProbedStep) -> str:
    """'240x' or 'over 220x': the mixed step's time over float32's."""
    ratio = mixed.step_s / baseline.step_s
    return f"{'over ' if mixed.stopped else ''}{ratio:.3g}x"


def speedup(mixed: ProbedStep, baseline: ProbedStep) -> tuple[float, bool]:
    """float32's step time over the mixed one's, and whether it is an upper bound (the mixed step was stopped)."""
    return baseline.step_s / mixed.step_s, mixed.stopped
