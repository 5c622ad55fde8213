"""The gates' decisions and their messages, apart from any measurement.

Each verdict says what was measured, what was expected, and why it passes or fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mpmodel.core.memory import mib
from mpmodel.measure.ceilings import Ceiling
from mpmodel.measure.expectations import Expectation, MemoryExpectation
from mpmodel.measure.stats import Estimate


@dataclass(frozen=True)
class Verdict:
    passed: bool
    expected: bool  # False: nothing is expected here, so the gate measures and skips
    message: str


def speedup_verdict(policy: str, speedup: Estimate, expectation: Expectation, ceiling: Ceiling | None = None) -> Verdict:
    """Pass when the speedup's CI lower bound reaches the expected minimum. With the speed of light
    measured, every message quotes it, and a failure says where the speed went."""
    measured = (f"{policy} speedup over float32 {speedup.value:.3f}x, "
                f"{speedup.confidence:.0%} CI [{speedup.low:.3f}, {speedup.high:.3f}] from {speedup.n} interleaved pairs")
    light = f" ({ceiling.describe()})" if ceiling is not None else ""
    if expectation.min_speedup is None:
        return Verdict(True, False, f"{measured}{light}; no speedup expected on {expectation.device_class}: "
                                    f"{expectation.reason}")
    if speedup.low >= expectation.min_speedup:
        return Verdict(True, True, f"{measured} >= {expectation.min_speedup}x ({expectation.source}){light}")
    went = f"; the speed went into {ceiling.where_the_speed_went(expectation.min_speedup)}" if ceiling is not None else ""
    return Verdict(False, True, (
        f"{measured}: CI lower bound {speedup.low:.3f}x is under the expected minimum {expectation.min_speedup}x "
        f"for {expectation.device_class} ({expectation.source}: {expectation.reason}){went}"
    ))


def matmuls_only_verdict(policy: str, ceiling: float, expectation: Expectation, not_timed: str) -> Verdict:
    """For a policy whose matmuls crawl (mpmodel.measure.cost.crawls), decided without timing its steps: a step
    cannot be faster than its matmuls let it be, so a minimum the matmuls alone miss fails at once.
    `not_timed` says why the steps were not timed and what timing them would have cost."""
    measured = f"{policy}'s matmuls alone reach {ceiling:.3g}x float32's; its steps were not timed: {not_timed}"
    if expectation.min_speedup is None:
        return Verdict(True, False, f"{measured}; no speedup expected on {expectation.device_class}: {expectation.reason}")
    if ceiling < expectation.min_speedup:
        return Verdict(False, True, f"{measured}: under the expected minimum {expectation.min_speedup}x for "
                                    f"{expectation.device_class} ({expectation.source}: {expectation.reason}); "
                                    f"the speed went into the kernels")
    return Verdict(False, True, f"{measured}; the expected minimum {expectation.min_speedup}x cannot be checked "
                                f"without timing them: run with --mp-slow-policies")


def memory_verdict(policy: str, mixed_peaks: list[int], float32_peaks: list[int], analytic_ratio: float,
                   expectation: MemoryExpectation, footprint_ratio: float | None = None) -> Verdict:
    """Pass when the median step peak ratio (mixed / float32) is at most the expected one; the message gives
    both medians, the ratio's spread over the repeats (lowest mixed / highest float32 to the reverse), the
    analytic ratio and, where given, the footprints' ratio (resting plus step peak)."""
    mixed, base = float(np.median(mixed_peaks)), float(np.median(float32_peaks))
    ratio = mixed / base
    low, high = min(mixed_peaks) / max(float32_peaks), max(mixed_peaks) / min(float32_peaks)
    measured = (f"{policy} step peak {mib(mixed)} against float32's {mib(base)}: ratio {ratio:.2f} "
                f"(spread {low:.2f}-{high:.2f} over {len(mixed_peaks)} and {len(float32_peaks)} steps; "
                f"analytic {analytic_ratio:.2f}" + (f"; resting plus step peak {footprint_ratio:.2f}"
                                                    if footprint_ratio is not None else "") + ")")
    if expectation.max_ratio is None:
        return Verdict(True, False, f"{measured}; no saving expected on {expectation.device_class}: {expectation.reason}")
    if ratio <= expectation.max_ratio:
        return Verdict(True, True, f"{measured} <= {expectation.max_ratio}")
    return Verdict(False, True, f"{measured}: above the expected {expectation.max_ratio} for "
                                f"{expectation.device_class} ({expectation.reason})")


@dataclass(frozen=True)
class AccuracyComparison:
    """Paired test accuracies (float32, mixed) per seed."""

    seeds: list[int]
    float32_accuracy: list[float]
    mixed_accuracy: list[float]

    @property
    def deltas(self) -> np.ndarray:
        return np.asarray(self.mixed_accuracy) - np.asarray(self.float32_accuracy)

    @property
    def median_delta(self) -> float:
        return float(np.median(self.deltas))


def _numbers(values) -> str:
    return "[" + ", ".join("none" if v is None else f"{v:.4g}" for v in values) + "]"


def nonfinite_report(label: str, fit) -> list[str]:
    """For a fit (mpmodel.core.training.FitResult) with a NaN or infinite loss: one entry with its losses and
    its loss-scale history; nothing for a finite fit."""
    if fit.finite:
        return []
    line = (f"{label}: loss by epoch {_numbers(fit.losses)}, val loss {_numbers(fit.val_losses)}, "
            f"test loss {fit.test_loss:.4g}")
    scales = [s for s in fit.loss_scales if s is not None]
    if scales:
        line += f", loss scale by epoch {_numbers(fit.loss_scales)}"
        if scales[-1] < scales[0]:
            line += " (falling: the optimizer skipped steps whose float16 gradients overflowed)"
    return [line]


def accuracy_verdict(policy: str, comparison: AccuracyComparison, tolerance: float,
                     nonfinite: list[str]) -> Verdict:
    """Fail on any NaN/inf loss, or when the median paired accuracy drop exceeds `tolerance`."""
    pairs = ", ".join(f"seed {s}: {a:.4f} vs {b:.4f}" for s, a, b in
                      zip(comparison.seeds, comparison.mixed_accuracy, comparison.float32_accuracy, strict=True))
    measured = (f"{policy} test accuracy minus float32's, median over {len(comparison.seeds)} paired seeds: "
                f"{comparison.median_delta:+.4f} ({pairs})")
    if nonfinite:
        return Verdict(False, True, f"{policy}: non-finite loss: {'; '.join(nonfinite)}")
    if comparison.median_delta < -tolerance or not math.isfinite(comparison.median_delta):
        return Verdict(False, True, f"{measured}: drop beyond the tolerance {tolerance} (--mp-accuracy-tol)")
    return Verdict(True, True, f"{measured}: within the tolerance {tolerance}")
