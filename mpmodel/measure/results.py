"""The suite's benchmarks and the record each one saves: names once, and the schema's version.

Every result the suite saves (pytest-benchmark's `extra_info`) starts with `common_facts`: the schema's
version, the workload's name and version and its dims, the policy, compile mode, float32 variant, backend
and profile. History reads them through `ResultFacts`, which reads a result saved before schemas and
workloads existed as schema 1 of the seed's MLP, version 1 (what it was), so old runs keep comparing, and
which says why two results may not be compared.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

SCHEMA_VERSION = 2  # 1: before the workload axis (no "schema" key); 2: workload, workload_version, schema
DEFAULT_WORKLOAD, DEFAULT_WORKLOAD_VERSION = "mlp", 1


@dataclass(frozen=True)
class Benchmark:
    """One of the suite's tests: its name, the series history keeps of it (None: none) and what it measures."""

    test: str
    series: str | None
    measures: str


STEP_TIME, SPEEDUP, ACCURACY, SEED_RECIPE_ACCURACY, MEMORY = (
    "test_step_time", "test_speedup", "test_accuracy", "test_seed_recipe_accuracy", "test_memory")
STEP_KIND, SPEEDUP_KIND, MEMORY_KIND = "step time", "speedup", "peak memory"  # the series compared over runs
CATALOGUE = {
    b.test: b
    for b in (
        Benchmark(STEP_TIME, STEP_KIND, "each policy's training step, K steps a round, one host sync"),
        Benchmark(SPEEDUP, SPEEDUP_KIND, "float32 against a mixed policy, interleaved pairs, a 95% CI"),
        Benchmark(ACCURACY, None, "paired fits from the same weights and data order (the decay recipe), the gate"),
        Benchmark(SEED_RECIPE_ACCURACY, None, "paired fits of the seed's own recipe, reported"),
        Benchmark(MEMORY, MEMORY_KIND, "each policy's step peak and footprint, in a child process"),
    )
}
FIT_TESTS = (ACCURACY, SEED_RECIPE_ACCURACY)  # paired fits, float32's shared by the mixed policies


def common_facts(workload_facts: dict, policy: str, backend: str, backend_version: str, jit: str, fp32: str,
                 profile: str) -> dict:
    """What every result records first."""
    return {"schema": SCHEMA_VERSION, **workload_facts, "policy": policy, "backend": backend,
            "backend_version": backend_version, "jit": jit, "fp32": fp32, "profile": profile}


class Fields:
    """A typed part of what a test saves: its fields are its extra_info keys, each named here once."""

    def fields(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class StepTimeResult(Fields):
    """test_step_time: how its rounds ran, and the step's kernels alone."""

    batch_size: int
    loss_scaling: bool
    harness: str
    steps_per_round: int
    warmup_rounds: int
    warmup_s: float
    single_call_s: float  # one train_on_batch call: the step, its host overhead and a sync
    flops_per_step: float
    matmul_s: float
    matmul_tflops: float


@dataclass(frozen=True)
class StepTimeStats(Fields):
    """test_step_time, where pytest-benchmark timed its rounds (not under --benchmark-disable)."""

    step_median_s: float
    samples_per_s: float
    tflops: float
    host_overhead_s: float  # what one train_on_batch call costs beyond its step
    host_overhead_share: float
    efficiency: float  # the step's kernels alone / the step

    @classmethod
    def of(cls, median_s: float, timed: StepTimeResult, efficiency: float) -> StepTimeStats:
        overhead = timed.single_call_s - median_s
        return cls(median_s, timed.batch_size / median_s, timed.flops_per_step / median_s / 1e12, overhead,
                   overhead / timed.single_call_s, efficiency)


@dataclass(frozen=True)
class SpeedupResult(Fields):
    """test_speedup: the interleaved pairs' ratio and CI, the gate's floor and the ceiling its kernels allow."""

    batch_size: int
    speedup: float
    speedup_ci_low: float
    speedup_ci_high: float
    min_speedup: float | None  # the gate's floor; None: no speedup expected
    expectation_source: str
    pairs: int
    float32_times: list  # per step, one per pair
    mixed_times: list
    harness: str
    steps_per_round: int  # pytest-benchmark's times here are whole rounds
    speedup_ceiling: float | None
    float32_matmul_tflops: float | None
    matmul_tflops: float | None
    float32_efficiency: float | None
    efficiency: float | None


@dataclass(frozen=True)
class LooksResult(Fields):
    """test_speedup and test_accuracy: where the gate's design (--mp-design) stopped measuring, why, and the
    interval that decided (at the look's confidence)."""

    design: str  # sequential or fixed
    decided_by: int  # pairs or seeds measured
    planned: int  # the most the design would have measured
    look: int
    looks: int
    look_confidence: float
    stopped_because: str  # cleared, below, last look, no threshold, not finite
    look_low: float | None
    look_high: float | None


@dataclass(frozen=True)
class MemoryResult(Fields):
    """test_memory: the policy's step peak, resting memory and footprint, measured and analytic."""

    batch_size: int
    peak_step_bytes: float
    peak_step_samples: list
    resting_bytes: float
    footprint_bytes: float
    footprint_samples: list
    analytic_bytes: float | None
    analytic_resting_bytes: float | None
    memory_method: str


@dataclass(frozen=True)
class MemoryRatios(Fields):
    """test_memory for a mixed policy: its peaks against float32's."""

    memory_ratio: float
    float32_peak_step_bytes: float
    analytic_memory_ratio: float | None
    footprint_ratio: float


@dataclass(frozen=True)
class PairedFitsResult(Fields):
    """test_accuracy and test_seed_recipe_accuracy: the paired fits (medians over the seeds, and each seed's)."""

    seeds: list
    recipe: str
    test_accuracy: float
    float32_test_accuracy: float
    accuracy_deltas: list
    accuracy_delta_sd: float
    test_accuracies: list
    float32_test_accuracies: list
    test_loss: float
    float32_test_loss: float
    final_loss_scale: float | None


@dataclass(frozen=True)
class AccuracyBound(Fields):
    """test_accuracy: the gate's statistic, the mean paired delta, and its one-sided lower bound."""

    accuracy_tol: float
    accuracy_delta: float
    accuracy_delta_low: float | None
    accuracy_confidence: float | None


@dataclass(frozen=True)
class AccuracyDelta(Fields):
    """test_seed_recipe_accuracy: the median paired delta, reported."""

    accuracy_delta: float


@dataclass(frozen=True)
class GateOutcome(Fields):
    """Every gate: its one-word outcome (pass, FAIL, skip) and its message."""

    gate: str
    gate_message: str


SAVED_PARTS = (GateOutcome, StepTimeResult, StepTimeStats, SpeedupResult, MemoryResult, MemoryRatios, PairedFitsResult,
               AccuracyBound, AccuracyDelta)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _numbers(value) -> list[float]:
    return [float(v) for v in value] if isinstance(value, list) and all(_number(v) is not None for v in value) else []


class ResultRecord:
    """One saved result's extra_info, read through typed accessors: every history module reads it here.
    Absent or malformed values read as None (or an empty list), never as an exception."""

    def __init__(self, extra: dict):
        self.extra = extra

    @functools.cached_property
    def facts(self) -> ResultFacts:
        return ResultFacts.of(self.extra)

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.extra.get(key)
        return str(value) if value not in (None, "") else default

    @property
    def policy(self) -> str | None:
        return self.text("policy")

    @property
    def profile(self) -> str | None:
        return self.text("profile")

    @property
    def jit(self) -> str:
        return self.text("jit", "auto")  # runs saved before the axis existed ran Keras's "auto"

    @property
    def fp32(self) -> str:
        return self.text("fp32", "default")  # and the framework's own float32

    @property
    def gate(self) -> str | None:
        return self.text("gate")

    @property
    def recipe(self) -> str | None:
        return self.text("recipe")

    speedup = property(lambda self: _number(self.extra.get("speedup")))
    speedup_ci = property(lambda self: (_number(self.extra.get("speedup_ci_low")), _number(self.extra.get("speedup_ci_high"))))
    speedup_ceiling = property(lambda self: _number(self.extra.get("speedup_ceiling")))
    min_speedup = property(lambda self: _number(self.extra.get("min_speedup")))  # the gate's floor; None: none
    efficiency = property(lambda self: _number(self.extra.get("efficiency")))
    matmul_tflops = property(lambda self: _number(self.extra.get("matmul_tflops")))
    accuracy_delta = property(lambda self: _number(self.extra.get("accuracy_delta")))
    accuracy_delta_low = property(lambda self: _number(self.extra.get("accuracy_delta_low")))  # the gate's bound
    accuracy_tol = property(lambda self: _number(self.extra.get("accuracy_tol")))
    memory_ratio = property(lambda self: _number(self.extra.get("memory_ratio")))
    footprint_bytes = property(lambda self: _number(self.extra.get("footprint_bytes")))
    footprint_samples = property(lambda self: _numbers(self.extra.get("footprint_samples")))
    float32_times = property(lambda self: _numbers(self.extra.get("float32_times")))  # per step, one per pair
    mixed_times = property(lambda self: _numbers(self.extra.get("mixed_times")))

    @property
    def pair_ratios(self) -> list[float]:
        """float32 / mixed per interleaved pair: the samples the speedup is the median of ([] where not saved)."""
        base, mixed = self.float32_times, self.mixed_times
        if not base or len(base) != len(mixed) or not all(mixed):
            return []
        return [b / m for b, m in zip(base, mixed, strict=True)]


@dataclass(frozen=True)
class ResultFacts:
    """A saved result's identity, read from its extra_info, old results as what they were."""

    schema: int
    workload: str
    workload_version: int

    @classmethod
    def of(cls, extra: dict) -> ResultFacts:
        return cls(int(extra.get("schema") or 1), str(extra.get("workload") or DEFAULT_WORKLOAD),
                   int(extra.get("workload_version") or DEFAULT_WORKLOAD_VERSION))

    @property
    def label(self) -> str:
        """The workload as history rows name it: 'conv', and 'conv v2' from its second version on, so that two
        versions never share a row or a series."""
        return self.workload if self.workload_version == 1 else f"{self.workload} v{self.workload_version}"

    def incompatible(self, other: ResultFacts) -> str | None:
        """Why results with these facts must not be compared, or None where they may."""
        newest = max(self.schema, other.schema)
        if newest > SCHEMA_VERSION:
            return f"result schema {newest} is newer than this mpmodel reads ({SCHEMA_VERSION}): upgrade mpmodel"
        if self.workload != other.workload:
            return f"workload {self.workload} against {other.workload}"
        if self.workload_version != other.workload_version:
            return (f"workload {self.workload} version {self.workload_version} against {other.workload_version} "
                    "(its model, data or sizes changed)")
        return None
