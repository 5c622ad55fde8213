"""What a run will cost, predicted before the benchmarks start from the real step, probed first.

Each benchmark's time follows from the step time and the suite's own rules (warm-up at least
`WARMUP_MIN_S`, rounds of K steps lasting at least `ROUND_TARGET_S`, the profile's rounds, pairs,
seeds and epochs; under the sequential design, from every gate's first look to its last). The step time is
the step probe's (mpmodel.measure.probe); only where the probe failed is it estimated as the speed of light
over an assumed efficiency. Plain Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mpmodel.core.memory import STEP_REPEATS, WARMUP_STEPS
from mpmodel.core.profiles import Profile
from mpmodel.measure.looks import accuracy_design, speedup_design
from mpmodel.measure.rounds import (
    SINGLE_BUDGET_S,
    SINGLE_CALLS,
    SINGLE_LEAST,
    SPEEDUP_WARMUP_PAIRS,
    WARMUP_MIN_S,
    steps_per_round,
)

# Steps reached 0.77-0.92 of their speed of light on the Zen 4 CPU (TensorFlow, PyTorch) and under JAX on an
# H200; PyTorch's eager mixed steps on the H200 reached 0.19-0.25. Used only where the step probe failed.
ASSUMED_EFFICIENCY = 0.8
EVAL_SHARE = 1 / 3  # a forward pass over a batch: about a third of a training step's matmuls
# Host work around the steps, measured with TensorFlow on the Zen 4 EPYC (small profile): building a
# model and tracing its first step and loop took 2-3 s; each epoch's model.fit call (the data pipeline,
# the validation pass's set-up) 0.6-0.9 s beyond its steps.
BUILD_S = 2.0
FIT_EPOCH_S = 0.6
# test_memory's child process: start-up and imports, then its warm-up steps and measured ones.
MEMORY_PROBE_S = 8.0
MEMORY_PROBE_STEPS = WARMUP_STEPS + STEP_REPEATS
def estimated_step_s(sol_seconds: float, efficiency: float = ASSUMED_EFFICIENCY) -> float:
    return sol_seconds / efficiency


def warm_up_s(step_s: float, rounds: int) -> float:
    return max(WARMUP_MIN_S, rounds * step_s)


def step_time_s(profile: Profile, step_s: float) -> float:
    """test_step_time: warm-up, the profile's rounds of K steps, and the single calls."""
    k = steps_per_round(step_s)
    single = min(SINGLE_CALLS * step_s, max(SINGLE_LEAST * step_s, SINGLE_BUDGET_S))
    return BUILD_S + warm_up_s(step_s, profile.timing_warmup) + profile.timing_rounds * k * step_s + single


def speedup_s(profile: Profile, float32_s: float, mixed_s: float, pairs: int | None = None) -> float:
    """test_speedup: both warm-ups, then interleaved pairs of K-step rounds, K set by the faster policy; `pairs`
    timed ones (the profile's where not given)."""
    k = steps_per_round(min(float32_s, mixed_s))
    pairs = (profile.timing_pairs if pairs is None else pairs) + SPEEDUP_WARMUP_PAIRS
    return 2 * BUILD_S + warm_up_s(float32_s, profile.timing_warmup) + warm_up_s(mixed_s, profile.timing_warmup) + \
        pairs * k * (float32_s + mixed_s)


def fit_s(profile: Profile, n_train: int, n_test: int, step_s: float) -> float:
    """One run of the fit recipe: each epoch's training steps and validation pass, then the test pass."""
    n_fit = int(n_train * (1 - profile.validation_split))
    batches = math.ceil(n_fit / profile.batch_size)
    val_batches = math.ceil((n_train - n_fit) / profile.batch_size)
    test_batches = math.ceil(n_test / profile.batch_size)
    per_epoch = FIT_EPOCH_S + batches * step_s + val_batches * step_s * EVAL_SHARE
    return BUILD_S + profile.epochs * per_epoch + test_batches * step_s * EVAL_SHARE


@dataclass(frozen=True)
class Prediction:
    seconds: float  # the benchmarks, from now, every gate measuring its full count
    parts: dict[str, float]  # benchmark -> seconds
    spent_s: float = 0.0  # the session so far: start-up, the speed of light, the step probe
    least_s: float | None = None  # the benchmarks where every sequential gate decides at its first look

    @property
    def total_s(self) -> float:
        return self.spent_s + self.seconds

    @property
    def least_total_s(self) -> float:
        return self.spent_s + (self.seconds if self.least_s is None else self.least_s)

    def describe(self) -> str:
        parts = ", ".join(f"{name} {minutes(s)}" for name, s in self.parts.items() if s > 0) or "nothing to time"
        least = (f", at least {minutes(self.least_total_s)} where every gate decides at its first look"
                 if self.least_total_s < self.total_s else "")
        return (f"about {minutes(self.total_s)} in all{least}: {minutes(self.spent_s)} so far (start-up, the speed of light, "
                f"the step probe), then {minutes(self.seconds)} ({parts}; from the probed steps and the host work "
                "measured on a CPU)")


def minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


FIT_TESTS = ("test_accuracy", "test_seed_recipe_accuracy")  # paired fits, float32's shared by the mixed policies


def test_s(name: str, profile: Profile, n_train: int, n_test: int, float32_s: float, own_s: float, seeds: int = 0,
           pairs: int | None = None) -> float:
    """One benchmark's time: `name` is test_step_time, test_speedup (`pairs` timed, the profile's where not
    given), test_memory or one of FIT_TESTS (the mixed policy's `seeds` fits only: float32's are shared);
    `float32_s` and `own_s` the step times of float32 and of the test's policy."""
    if name == "test_step_time":
        return step_time_s(profile, own_s)
    if name == "test_speedup":
        return speedup_s(profile, float32_s, own_s, pairs)
    if name in FIT_TESTS:
        return seeds * fit_s(profile, n_train, n_test, own_s)
    if name == "test_memory":
        return MEMORY_PROBE_S + MEMORY_PROBE_STEPS * own_s
    raise ValueError(f"no cost model for {name!r}")


def predict(profile: Profile, n_train: int, n_test: int, tests, step_s, skipped, seeds=lambda name: 0,
            spent_s: float = 0.0, design: str = "fixed", pairs: int | None = None) -> Prediction:
    """The session's time. `tests`: (test name, StepKey) for each benchmark it will run; `step_s(key)`: the
    estimated step time; `skipped(key)`: whether that mixed step is neither timed nor fitted; `seeds(name)`: the
    paired seeds of a fit test; `spent_s`: the session's time so far; `design`: the gates' (measure.sequential),
    whose first looks give the least time; `pairs`: the speedup gate's most pairs where fewer than the profile's
    (--mp-budget). float32's fits are shared by the mixed policies."""
    speedup, accuracy = speedup_design(design, min(profile.timing_pairs, pairs or profile.timing_pairs)), {}

    def counts(name, first):  # (seeds, pairs) of one test, at the first look or the last
        if name == "test_accuracy" and seeds(name) > 0:
            looks = accuracy.setdefault(name, accuracy_design(design, seeds(name)))
            return (looks.first if first else looks.maximum), None
        if name == "test_speedup":
            return 0, speedup.first if first else speedup.maximum
        return (seeds(name) if name in FIT_TESTS else 0), None

    def parts(first: bool) -> dict[str, float]:
        out = {"step time": 0.0, "speedup": 0.0, "accuracy": 0.0, "memory": 0.0}
        part = {"test_step_time": "step time", "test_speedup": "speedup", "test_memory": "memory",
                **{name: "accuracy" for name in FIT_TESTS}}
        float32_fitted = set()
        for name, key in tests:
            if skipped(key):
                continue
            base = step_s(key.float32)
            n, pairs = counts(name, first)
            if name in FIT_TESTS and (name, key.float32) not in float32_fitted:
                float32_fitted.add((name, key.float32))
                out["accuracy"] += test_s(name, profile, n_train, n_test, base, base, n)
            out[part[name]] += test_s(name, profile, n_train, n_test, base, step_s(key), n, pairs)
        return out

    most, least = parts(first=False), parts(first=True)
    return Prediction(sum(most.values()), most, spent_s, sum(least.values()))
