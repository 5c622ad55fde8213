"""A profile: one workload at one of its sizes, under the measurement plan of the same name.

The workload owns the model's size and its fit (batch, epochs, validation split: `workload.Size`); the
plan owns how much is measured (timing rounds and warm-up, interleaved pairs, paired accuracy seeds).
Sizes and plans share the names `seed` (GPUs), `small` (a 2-core CPU) and `tiny` (a harness check).
Rows here must not be changed once results are saved under their name, only appended: changing a plan
silently breaks the history that compares against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpmodel.core.kernels import Kernel, flops
from mpmodel.core.workload import SIZE_NAMES, Size, Workload
from mpmodel.core.workloads import resolve
from mpmodel.core.workloads.mlp import SeedMLP


@dataclass(frozen=True)
class Plan:
    """How much one run measures. `accuracy_seeds` paired fits of the gate's recipe (decay);
    `seed_recipe_seeds` paired fits of the seed's own recipe, reported beside it."""

    name: str
    timing_rounds: int
    timing_warmup: int
    timing_pairs: int
    accuracy_seeds: int
    seed_recipe_seeds: int = 1  # the seed document reports one run of its recipe


PLANS: dict[str, Plan] = {
    p.name: p
    for p in (
        Plan("seed", timing_rounds=20, timing_warmup=3, timing_pairs=20, accuracy_seeds=5),
        Plan("small", timing_rounds=12, timing_warmup=3, timing_pairs=15, accuracy_seeds=3),
        Plan("tiny", timing_rounds=12, timing_warmup=3, timing_pairs=15, accuracy_seeds=3),
    )
}
assert tuple(PLANS) == SIZE_NAMES
# The plan whose sizes check the harness rather than measure mixed precision: a step of well under a millisecond is
# host overhead, which moved 12-22% between two runs of the README's CI job on a 2-core Xeon (2026-12-02), so its
# speedups are never expected (mpmodel.measure.expectations) and its changes between runs are shown, never gated.
HARNESS_CHECK_PLAN = "tiny"


@dataclass(frozen=True)
class Profile:
    """One workload at one size, measured by the plan of the same name."""

    workload: Workload
    size: Size
    plan: Plan

    @property
    def name(self) -> str:
        """The size's name (seed, small, tiny): what saved runs call the profile."""
        return self.size.name

    @property
    def id(self) -> str:
        """The test id part: the size alone for the seed's MLP (its ids as they always were), else
        'workload-size'."""
        return self.name if self.workload.name == DEFAULT_WORKLOAD else f"{self.workload.name}-{self.name}"

    batch_size = property(lambda self: self.size.batch_size)
    epochs = property(lambda self: self.size.epochs)
    validation_split = property(lambda self: self.size.validation_split)
    harness_check = property(lambda self: self.size.harness_check)
    description = property(lambda self: self.size.description)
    timing_rounds = property(lambda self: self.plan.timing_rounds)
    timing_warmup = property(lambda self: self.plan.timing_warmup)
    timing_pairs = property(lambda self: self.plan.timing_pairs)
    accuracy_seeds = property(lambda self: self.plan.accuracy_seeds)
    @property
    def seed_recipe_seeds(self) -> int:
        """The plan's fits of the seed's constant-rate recipe, for a workload that reports it (the seed's MLP)."""
        return self.plan.seed_recipe_seeds if self.workload.reports_seed_recipe else 0

    def describe(self) -> str:
        return self.workload.describe_size(self.size)

    def facts(self) -> dict:
        """What every saved result records about the workload: name, version and its dims."""
        return {"workload": self.workload.name, "workload_version": self.workload.version,
                **self.workload.facts(self.size)}


DEFAULT_WORKLOAD = "mlp"


def profile_of(workload: Workload, name: str) -> Profile:
    """`workload` at size `name` under the plan of that name; ValueError listing the valid names otherwise."""
    if name not in PLANS or name not in workload.sizes:
        raise ValueError(f"unknown profile {name!r}; valid profiles: {', '.join(SIZE_NAMES)}")
    return Profile(workload, workload.sizes[name], PLANS[name])


def resolve_profile(workload: str, name: str) -> Profile:
    """The profile of the workload `workload` names (mpmodel.core.workloads.resolve) at size `name`."""
    return profile_of(resolve(workload), name)


def profiles_of(workload: Workload) -> dict[str, Profile]:
    """Every profile of `workload`, by name."""
    return {name: profile_of(workload, name) for name in SIZE_NAMES}


PROFILES: dict[str, Profile] = profiles_of(SeedMLP())  # the seed's MLP, the default workload


def get_profile(name: str) -> Profile:
    """The seed's MLP at size `name`; ValueError listing the valid names otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; valid profiles: {', '.join(PROFILES)}") from None


def default_profile_name(gpu_visible: bool) -> str:
    """`seed` where a GPU can run it, `small` on a CPU."""
    return "seed" if gpu_visible else "small"


def step_matmuls(profile: Profile, batch_size: int | None = None) -> list[tuple[str, int, int, int]]:
    """Every matmul one training step does, as (role, m, k, n) for C[m, n] = A[m, k] @ B[k, n] (the workload's)."""
    return profile.workload.step_matmuls(profile.size, profile.batch_size if batch_size is None else batch_size)


def step_kernels(profile: Profile, batch_size: int | None = None) -> list[Kernel]:
    """Every kernel one training step runs (the workload's: matmuls, convolutions, attention)."""
    return profile.workload.step_kernels(profile.size, profile.batch_size if batch_size is None else batch_size)


def flops_per_step(profile: Profile, batch_size: int | None = None) -> int:
    """The FLOPs of one training step's kernels (mpmodel.core.kernels). Elementwise work (bias, normalisation,
    activations, softmax, the optimizer) is left out: under 0.1% of the matmuls' at the MLP's shapes."""
    return flops(step_kernels(profile, batch_size))
