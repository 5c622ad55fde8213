"""The gates' decisions and their messages, apart from any measurement.

Each verdict says what was measured, what was expected, and why it passes or fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mpmodel.core.memory import mib
from mpmodel.measure.ceilings import Ceiling
from mpmodel.measure.crawl import crawl_headline
from mpmodel.measure.expectations import PARTIAL_CEILING, Expectation, MemoryExpectation
from mpmodel.measure.looks import ACCURACY_CONFIDENCE
from mpmodel.measure.sequential import Stop, percent
from mpmodel.measure.stats import Estimate, mean_lower_bound


@dataclass(frozen=True)
class Verdict:
    passed: bool
    expected: bool  # False: nothing is expected here, so the gate measures and skips
    message: str
    reason: str = ""  # the why of a skip or a failure beside its numbers (an expectation's row): the summary's footnote


TABLE_PRIOR = "the expectations table's prior for {row}, not this run's measurement: {reason}"


def cited(e: Expectation) -> str:
    """An expectation's evidence as what it is: a table row's prior (its row; its reason names the machine it was
    measured on), apart from this run's numbers; or the user's --mp-min-speedup, or this run's ceiling."""
    if e.source == "expectations table":
        return TABLE_PRIOR.format(row=f"{e.device_class}, {e.policy}", reason=e.reason)
    return f"{e.source}: {e.reason}"


def no_floor(e: Expectation) -> str:
    """Why a speedup is recorded, not gated: nothing expected here, or a partial ceiling that cannot say."""
    return f"not gated: {e.reason}" if e.source == PARTIAL_CEILING else f"no speedup expected: {cited(e)}"


def cited_memory(e: MemoryExpectation) -> str:
    return TABLE_PRIOR.format(row=f"{e.device_class}, memory", reason=e.reason)


def speedup_verdict(policy: str, speedup: Estimate, expectation: Expectation, ceiling: Ceiling | None = None,
                    device: str = "", stop: Stop | None = None) -> Verdict:
    """Pass when the speedup's CI lower bound reaches the expected minimum. With the speed of light
    measured, every message quotes it, and a failure says where the speed went. `device`: the device's facts
    and how to record its own expectation, added where the table (not the user) set the minimum. `speedup` is the
    interval that decided (a sequential look's, at its confidence); `stop` says where and why measuring stopped."""
    own = f"; {device}" if device and expectation.source != "--mp-min-speedup" else ""
    stopped = f" ({stop.describe('pairs', 'the floor')})" if stop is not None else ""
    measured = (f"{policy} speedup over float32 {speedup.value:.3f}x, {percent(speedup.confidence)} CI "
                f"[{speedup.low:.3f}, {speedup.high:.3f}] from {speedup.n} interleaved pairs{stopped}")
    light = f" ({ceiling.describe()})" if ceiling is not None else ""
    if expectation.min_speedup is None:
        why = no_floor(expectation)
        return Verdict(True, False, f"{measured}{light}; {why}{own}", why)
    if speedup.low >= expectation.min_speedup:
        return Verdict(True, True, f"{measured} >= {expectation.min_speedup}x ({expectation.source}){light}")
    went = f"; the speed went into {ceiling.where_the_speed_went(expectation.min_speedup)}" if ceiling is not None else ""
    why = f"{expectation.min_speedup}x expected: {cited(expectation)}"
    return Verdict(False, True, (
        f"{measured}: CI lower bound {speedup.low:.3f}x is under the expected minimum {expectation.min_speedup}x "
        f"({cited(expectation)}){went}{own}"
    ), why)


def crawling_verdict(policy: str, speedup: float, upper_bound: bool, expectation: Expectation, facts: str,
                     device: str = "") -> Verdict:
    """For a policy whose probed step crawls (mpmodel.measure.probe.crawls), decided on the probe's measured steps
    (float32's step time over the mixed one's; an upper bound where the mixed step was stopped at its limit).
    `facts`: the probe's figures, the kernels' time, the efficiency and the cause; `device` as for speedup_verdict."""
    own = f"; {device}" if device and expectation.source != "--mp-min-speedup" else ""
    measured = (f"crawling: {policy} speedup over float32 {'at most ' if upper_bound else ''}{speedup:.3g}x from the step "
                f"probe's measured steps; its steps were not timed further: {facts}")
    if expectation.min_speedup is None:
        why = no_floor(expectation)
        return Verdict(True, False, f"{measured}; {why}{own}", crawl_headline(facts))
    return Verdict(False, True, f"{measured}: under the expected minimum {expectation.min_speedup}x "
                                f"({cited(expectation)}){own}",
                   f"crawling: {expectation.min_speedup}x expected: {cited(expectation)}")


def memory_verdict(policy: str, mixed_peaks: list[int], float32_peaks: list[int], analytic_ratio: float | None,
                   expectation: MemoryExpectation, footprint_ratio: float | None = None) -> Verdict:
    """Pass when the median step peak ratio (mixed / float32) is at most the expected one; the message gives
    both medians, the ratio's spread over the repeats (lowest mixed / highest float32 to the reverse), the
    analytic ratio and, where given, the footprints' ratio (resting plus step peak)."""
    mixed, base = float(np.median(mixed_peaks)), float(np.median(float32_peaks))
    ratio = mixed / base
    low, high = min(mixed_peaks) / max(float32_peaks), max(mixed_peaks) / min(float32_peaks)
    measured = (f"{policy} step peak {mib(mixed)} against float32's {mib(base)}: ratio {ratio:.2f} "
                f"(spread {low:.2f}-{high:.2f} over {len(mixed_peaks)} and {len(float32_peaks)} steps; "
                + (f"analytic {analytic_ratio:.2f}" if analytic_ratio is not None else
                   "analytic not computed for this workload") + (f"; resting plus step peak {footprint_ratio:.2f}"
                                                    if footprint_ratio is not None else "") + ")")
    if expectation.max_ratio is None:
        why = f"no saving expected: {cited_memory(expectation)}"
        return Verdict(True, False, f"{measured}; {why}", why)
    if ratio <= expectation.max_ratio:
        return Verdict(True, True, f"{measured} <= {expectation.max_ratio}")
    return Verdict(False, True, f"{measured}: above the expected {expectation.max_ratio} ({cited_memory(expectation)})",
                   f"at most {expectation.max_ratio} expected: {cited_memory(expectation)}")




@dataclass(frozen=True)
class AccuracyComparison:
    """Paired test accuracies (float32, mixed) per seed, trained with one recipe."""

    seeds: list[int]
    float32_accuracy: list[float]
    mixed_accuracy: list[float]
    recipe: str = "decay"
    resolution: float = 0.0  # one test image's share of the test set: the least spread the deltas can show

    @property
    def deltas(self) -> np.ndarray:
        return np.asarray(self.mixed_accuracy) - np.asarray(self.float32_accuracy)

    @property
    def median_delta(self) -> float:
        return float(np.median(self.deltas))

    @property
    def spread(self) -> float:
        """Sample standard deviation of the paired deltas (0 for one seed)."""
        return float(np.std(self.deltas, ddof=1)) if len(self.seeds) > 1 else 0.0

    def bound(self, confidence: float = ACCURACY_CONFIDENCE) -> Estimate | None:
        """The mean paired delta with its one-sided lower confidence bound; None with under 2 seeds or a
        non-finite accuracy, where no bound exists."""
        if len(self.seeds) < 2 or not np.all(np.isfinite(self.deltas)):
            return None
        return mean_lower_bound(self.deltas, confidence, self.resolution)

    def pairs(self) -> str:
        return ", ".join(f"seed {s}: {a:.4f} vs {b:.4f}" for s, a, b in
                         zip(self.seeds, self.mixed_accuracy, self.float32_accuracy, strict=True))


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


HARNESS_CHECK_ACCURACY = ("a harness-check profile: its fits are too small and too few to gate a drop of {tol} (one "
                          "conv seed's accuracy moved by 0.03 on an AVX2 EPYC, 2026-12-02), so the bound is recorded, not "
                          "gated; a model's own sizes gate it")


# Where every pair agreed to the last test image, a pass says only that the policy changed no prediction the test set
# could show; what the gate is known to catch on that data (docs/gates.md, "Its power, planted"), by data source.
PLANTED_POWER = {
    "synthetic-v1": "a planted loss of 2.2-2.4 points fails it on this data at the small profile",
    "synthetic-hard-v1": "a planted loss of 2.0-2.1 points fails it on this data at the small profile",
}


def identical_pairs_note(source: str | None) -> str:
    """What a pass whose pairs all agreed does and does not show, with the gate's measured power on `source`."""
    power = PLANTED_POWER.get(source or "", "its power on this data is not measured (studies/accuracy_spread.py "
                                             "--plant measures it)")
    return (f"every pair agreed to the last test image, so the pass shows no prediction changed, not a spread measured; "
            f"{power} (docs/gates.md, 'Its power, planted')")


# Two fits that both stay at chance agree perfectly, so a pass needs float32 to have learned: its mean test accuracy
# must clear chance (the test set's most frequent class share, what one constant answer scores) by LEARNED_TOLERANCES
# tolerances. A mixed fit that then lost all float32 learned would drop by at least that many tolerances, several times
# the planted 2-point loss (against a 0.01 tolerance) the gate is shown to catch (docs/gates.md). A workload whose
# labels are not classes declares its own floor (Workload.min_float32_accuracy). Its loss must fall too: the last
# epoch's training loss at least LOSS_FALL below the first's.
LEARNED_TOLERANCES = 5
LOSS_FALL = 0.01


def chance_accuracy(labels) -> float | None:
    """The most frequent class's share of integer class labels; None for labels that are not classes."""
    y = np.asarray(labels)
    if y.ndim != 1 or y.size == 0 or not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
        return None
    return float(np.unique(y, return_counts=True)[1].max() / y.size)


def not_learned(float32_accuracy: list[float], float32_losses: list[list[float]], tolerance: float,
                chance: float | None, floor: float | None = None) -> str | None:
    """Why float32's fits did not learn, with their numbers; None where they did (or nothing says what learning
    is: no class labels and no floor declared)."""
    mean = float(np.mean(float32_accuracy))
    need = floor if floor is not None else None if chance is None else chance + LEARNED_TOLERANCES * tolerance
    if need is not None and mean < need:
        against = (f"the workload's floor {floor:.4f}" if floor is not None else
                   f"chance {chance:.4f} (the test set's most frequent class) plus {LEARNED_TOLERANCES} x the tolerance "
                   f"{tolerance:g}, {need:.4f}")
        return f"float32's mean test accuracy {mean:.4f} over {len(float32_accuracy)} seed(s) is under {against}"
    flat = [i for i, losses in enumerate(float32_losses) if len(losses) >= 2 and losses[-1] > losses[0] * (1 - LOSS_FALL)]
    if flat:
        i = flat[0]
        return (f"float32's training loss did not fall in {len(flat)} of {len(float32_losses)} fit(s) (fit {i}: "
                f"{float32_losses[i][0]:.4g} in its first epoch, {float32_losses[i][-1]:.4g} in its last)")
    return None


def accuracy_verdict(policy: str, comparison: AccuracyComparison, tolerance: float, nonfinite: list[str],
                     confidence: float = ACCURACY_CONFIDENCE, harness_check: bool = False,
                     data_source: str | None = None, float32_not_learned: str | None = None,
                     stop: Stop | None = None) -> Verdict:
    """Fail on any NaN/inf loss, or unless the paired deltas' lower confidence bound shows the drop below
    `tolerance` (a non-inferiority test: too few or too scattered seeds fail to show it). Under a harness-check
    profile a bound that does not show it is recorded and skipped, saying so; a non-finite loss still fails.
    `confidence` is the deciding look's (a sequential look's is stricter); `stop` says where measuring stopped."""
    if nonfinite:
        return Verdict(False, True, f"{policy}: non-finite loss: {'; '.join(nonfinite)}")
    if float32_not_learned is not None:
        message = (f"{policy}: the float32 fit did not learn, so the paired fits' agreement shows nothing "
                   f"({comparison.pairs()}): {float32_not_learned}; more epochs (the workload's Size) or a higher "
                   "learning rate (its learning_rate) let it learn")
        if harness_check:
            note = "a harness-check profile: recorded, not gated"
            return Verdict(False, False, f"{message}; {note}", note)
        return Verdict(False, True, message, "the float32 fit did not learn")
    n = len(comparison.seeds)
    b = comparison.bound(confidence)
    if b is None:
        return Verdict(False, True, f"{policy}: {n} paired seed(s) with finite accuracies ({comparison.pairs()}): "
                                    "a confidence bound needs at least 2")
    stopped = f"; {stop.describe('seeds', 'the tolerance')}" if stop is not None else ""
    measured = (f"{policy} test accuracy minus float32's, {n} paired seeds, recipe {comparison.recipe}: mean {b.value:+.4f} "
                f"(sd {comparison.spread:.4f}), {percent(confidence)} lower bound {b.low:+.4f} ({comparison.pairs()}{stopped})")
    if b.low >= -tolerance:
        agreed = f"; {identical_pairs_note(data_source)}" if np.all(comparison.deltas == 0) else ""
        return Verdict(True, True, f"{measured}: the drop is under the tolerance {tolerance} at {percent(confidence)} "
                                   f"confidence{agreed}")
    why = (f"the mean drop alone, {-b.value:.4f}, exceeds it" if b.value < -tolerance else
           f"the mean is within it, but {n} seeds spread by sd {comparison.spread:.4f} cannot show it: more seeds "
           "(--mp-accuracy-seeds) narrow the bound")
    message = (f"{measured}: the bound lies below -{tolerance}, so the drop may exceed the tolerance {tolerance} "
               f"(--mp-accuracy-tol); {why}")
    if harness_check:
        note = HARNESS_CHECK_ACCURACY.format(tol=tolerance)
        return Verdict(False, False, f"{message}; {note}", note)
    return Verdict(False, True, message, why)


def seed_recipe_report(policy: str, comparison: AccuracyComparison, nonfinite: list[str]) -> Verdict:
    """The seed recipe's accuracy, reported beside the gate: fails on a NaN/inf loss only, since its runs
    land up to 14 points apart from the same weights and cannot resolve a tolerance of a point."""
    if nonfinite:
        return Verdict(False, True, f"{policy}: non-finite loss: {'; '.join(nonfinite)}")
    d = comparison.deltas
    return Verdict(True, True, f"{policy} test accuracy minus float32's with the seed's recipe, {len(d)} paired seed(s): "
                               f"median {np.median(d):+.4f}, range [{d.min():+.4f}, {d.max():+.4f}] ({comparison.pairs()}); "
                               "reported, not gated: this recipe's runs spread too far to resolve "
                               "--mp-accuracy-tol, the decay recipe's gate decides")
