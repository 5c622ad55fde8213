"""Two saved runs side by side: per policy, step-time change, speedup change, accuracy change.

Each change is judged both ways. "worse" (a regression: slower steps, a smaller speedup)
and "better" (an unexpected improvement: often a stale baseline or a broken measurement)
need a Mann-Whitney p under `alpha` AND a change beyond the series' threshold: the
default, or the stored calibration's if that is larger.

A step-time change must also be confirmed by the same policy's steps timed at another moment
of the same runs: test_speedup's interleaved steps (its mixed steps for a mixed policy, its
float32 steps for float32). A shared machine slows a whole test now and then (one A/A run of
twelve had bf16 step time +50% in test_step_time while its test_speedup steps were normal);
a real regression slows both. Where a run has no test_speedup, the step time is judged alone.

A harness-check profile's series (`tiny`: steps of host overhead) are judged and shown but never gate: a
change there is no regression and no improvement.

Accuracy is reported, not judged: the suite's own accuracy gate decides that within a run (a
3-seed median moves too much between runs to judge here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mpmodel.core.policies import BASELINE
from mpmodel.core.profiles import HARNESS_CHECK_PLAN
from mpmodel.core.recipes import SEED_RECIPE
from mpmodel.history.twosample import SampleChange, sample_change
from mpmodel.measure.context import diff
from mpmodel.store.runs import (
    ACCURACY,
    MEMORY,
    MEMORY_KIND,
    SPEEDUP,
    SPEEDUP_KIND,
    STEP_KIND,
    STEP_TIME,
    Result,
    SavedRun,
    varied_axes,
)

# Tuned on 12 A/A runs and 6 planted-slowdown runs (studies/noise_study.py; docs/reliability.md).
DEFAULT_STEP_THRESHOLD = 0.15
DEFAULT_SPEEDUP_THRESHOLD = 0.05
# Peak memory (resting plus step peak), one value per repeat of test_memory's 5 steps. Two A/A runs on the Zen 4
# EPYC (TensorFlow, small) moved its 3 series 1.0-5.6%; a planted 27 MiB in each bf16 step moved bf16's +17.7%
# (studies/planted_memory.py; docs/gates.md, Memory).
DEFAULT_MEMORY_THRESHOLD = 0.10
DEFAULT_ALPHA = 0.05


@dataclass(frozen=True)
class Thresholds:
    step: float = DEFAULT_STEP_THRESHOLD  # relative step-time change that counts
    speedup: float = DEFAULT_SPEEDUP_THRESHOLD  # relative speedup change that counts
    alpha: float = DEFAULT_ALPHA
    calibration: object = None  # mpmodel.history.calibration.Calibration that applies to the runs, or None
    memory: float = DEFAULT_MEMORY_THRESHOLD  # relative peak-memory change that counts

    def default(self, kind: str) -> float:
        return {STEP_KIND: self.step, SPEEDUP_KIND: self.speedup, MEMORY_KIND: self.memory}[kind]

    def for_series(self, kind: str, name: str) -> tuple[float, str]:
        """The threshold for one series and where it came from."""
        default = self.default(kind)
        calibrated = self.calibration.threshold(kind, name) if self.calibration is not None else None
        if calibrated is not None and calibrated > default:
            return calibrated, "calibrated A/A noise"
        return default, "default" if calibrated is None else f"default (calibrated noise {calibrated:.1%})"

    def describe(self) -> str:
        return f"step time {self.step:.0%}, speedup {self.speedup:.0%}, peak memory {self.memory:.0%}"


@dataclass(frozen=True)
class Change:
    kind: str  # STEP_KIND, SPEEDUP_KIND or MEMORY_KIND (mpmodel.measure.results)
    name: str
    policy: str
    sample: SampleChange
    threshold: float
    threshold_source: str
    direction: str  # "worse", "better" or "same"
    alpha: float = DEFAULT_ALPHA
    confirmation: SampleChange | None = None  # the same policy's steps in test_speedup (step-time series only)
    unconfirmed: bool = False  # beyond the threshold in test_step_time, not in the confirming steps
    label: str = ""  # the policy, with the compile mode and float32 variant where the runs hold several
    gated: bool = True  # False for a harness-check profile's series: judged and shown, never a regression

    @property
    def row(self) -> str:
        return self.label or self.policy

    @property
    def percent(self) -> float:
        return (self.sample.ratio - 1.0) * 100.0


def judge(kind: str, sample: SampleChange, threshold: float, alpha: float) -> str:
    """'worse', 'better' or 'same': significant at alpha and beyond the relative threshold."""
    change = sample.ratio - 1.0
    if sample.p_value >= alpha or abs(change) <= threshold:
        return "same"
    more_is_worse = kind in (STEP_KIND, MEMORY_KIND)  # slower steps, more memory; for a speedup, less
    return "worse" if (change > 0) == more_is_worse else "better"


def decide(kind: str, sample: SampleChange, confirmation: SampleChange | None, threshold: float,
           alpha: float) -> tuple[str, bool]:
    """(direction, unconfirmed): `judge`, where a step-time change also needs its confirming steps
    to move the same way beyond the threshold."""
    direction = judge(kind, sample, threshold, alpha)
    if direction == "same" or confirmation is None:
        return direction, False
    if judge(kind, confirmation, threshold, alpha) == direction:
        return direction, False
    return "same", True


@dataclass(frozen=True)
class AccuracyChange:
    policy: str
    before: float  # the gate's accuracy delta (mixed - float32) over seeds: mean (decay recipe) or median (seed's, older runs)
    after: float
    label: str = ""  # as Change.label

    @property
    def row(self) -> str:
        return self.label or self.policy

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass
class Comparison:
    before: SavedRun
    after: SavedRun
    context: list[str]
    changes: list[Change] = field(default_factory=list)
    accuracy: list[AccuracyChange] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.direction == "worse" and c.gated]

    @property
    def improvements(self) -> list[Change]:
        return [c for c in self.changes if c.direction == "better" and c.gated]

    @property
    def ungated(self) -> list[Change]:
        """Changes beyond their threshold in a harness-check profile's series: shown, not gated."""
        return [c for c in self.changes if c.direction != "same" and not c.gated]


def _same_axes(a: Result, b: Result) -> bool:
    """A step-time result and its confirming speedup results share backend, profile, compile mode, float32
    variant and workload."""
    ra, rb = a.record, b.record
    return (ra.text("backend"), ra.profile, ra.jit, ra.fp32, ra.facts) == (rb.text("backend"), rb.profile, rb.jit,
                                                                           rb.fp32, rb.facts)


def confirming_steps(run: SavedRun, step: Result) -> list[float] | None:
    """The same policy's step times from test_speedup in the same run and axes: its mixed steps for a
    mixed policy, every speedup test's float32 steps for float32; None where the run has none."""
    times: list[float] = []
    for r in run.results.values():
        if r.test != SPEEDUP or not _same_axes(r, step):
            continue
        if step.policy == BASELINE:
            times += r.record.float32_times
        elif r.policy == step.policy:
            times += r.record.mixed_times
    return times if len(times) >= 2 else None


def compare_runs(before: SavedRun, after: SavedRun, thresholds: Thresholds | None = None) -> Comparison:
    """Every series the two runs share, compared; names only one run has are listed as unmatched."""
    thresholds = thresholds or Thresholds()
    result = Comparison(before, after, diff(before.facts, after.facts))
    axes = varied_axes([before, after])

    def label(r: Result) -> str:
        return r.variant.label(axes) if r.variant else "?"
    names = list(before.results) + [n for n in after.results if n not in before.results]
    for name in names:
        a, b = before.results.get(name), after.results.get(name)
        if a is None or b is None:
            result.unmatched.append(f"{name} (only in {'after' if a is None else 'before'})")
            continue
        refused = a.facts.incompatible(b.facts)
        if refused:
            result.unmatched.append(f"{name} (not comparable: {refused})")
            continue
        confirmation = None
        if a.test == STEP_TIME:
            kind, xs, ys = STEP_KIND, a.rounds, b.rounds
            cx, cy = confirming_steps(before, a), confirming_steps(after, b)
            confirmation = sample_change(cx, cy) if cx and cy else None
        elif a.test == SPEEDUP:
            kind, xs, ys = SPEEDUP_KIND, a.record.pair_ratios, b.record.pair_ratios
        elif a.test == MEMORY:
            kind, xs, ys = MEMORY_KIND, a.record.footprint_samples, b.record.footprint_samples
        elif a.test == ACCURACY:
            recipes = (a.record.recipe or SEED_RECIPE.name, b.record.recipe or SEED_RECIPE.name)
            if recipes[0] != recipes[1]:
                result.unmatched.append(f"{name} (accuracy from the {recipes[0]} recipe, then the {recipes[1]} recipe)")
            elif a.record.accuracy_delta is not None and b.record.accuracy_delta is not None:
                result.accuracy.append(AccuracyChange(a.policy, a.record.accuracy_delta, b.record.accuracy_delta,
                                                      label(a)))
            continue
        else:
            continue
        if not xs or not ys or len(xs) < 2 or len(ys) < 2:
            result.unmatched.append(f"{name} (too few saved values to compare)")
            continue
        sample = sample_change(xs, ys)
        threshold, source = thresholds.for_series(kind, name)
        direction, unconfirmed = decide(kind, sample, confirmation, threshold, thresholds.alpha)
        result.changes.append(Change(kind, name, a.policy or "?", sample, threshold, source, direction,
                                     thresholds.alpha, confirmation, unconfirmed, label(a),
                                     gated=a.record.profile != HARNESS_CHECK_PLAN))
    return result
