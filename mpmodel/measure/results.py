"""The suite's benchmarks and the record each one saves: names once, and the schema's version.

Every result the suite saves (pytest-benchmark's `extra_info`) starts with `common_facts`: the schema's
version, the workload's name and version and its dims, the policy, compile mode, float32 variant, backend
and profile. History reads them through `ResultFacts`, which reads a result saved before schemas and
workloads existed as schema 1 of the seed's MLP, version 1 (what it was), so old runs keep comparing, and
which says why two results may not be compared.
"""

from __future__ import annotations

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
