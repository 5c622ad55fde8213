"""The GPU check's parts, in the order they run, and its time budget predicted from the one H200 run.

Each part is one fresh process under one backend, its results written the moment it ends:
- `suite` (one a workload): the speedup gate (interleaved float32 and mixed rounds: the step times, the speedup with its CI, the
  ceiling and efficiency) and the memory gate, every workload, the eager (auto) compile mode;
- `cross-check`: each workload's steps timed by the device (CUDA events and the profiler's busy share under
  PyTorch, K steps fused in one `lax.fori_loop` under JAX) against the suite's own rounds;
- `bound`: studies/speed_of_light_bound.py: the speed of light's variants against the step, interleaved;
- `accuracy` (one a workload): the accuracy gate's paired fits;
- `compiled` (one a workload): PyTorch's speedup gate under `--mp-jit on` (torch.compile), against the eager part.
A pytest session writes its results when it ends, so each workload's gates are a part of their own.
The parts alternate between backends so that a check stopped at its limit has both backends' first parts.

The budget: the suite's own cost model (mpmodel.measure.cost) on step times measured on the H200 on 2026-11-28
(studies/results/h200-2026-11-28, the seed MLP) and, for the convnet and transformer that never ran on a GPU,
their FLOPs at the MLP's kernel TFLOP/s and step efficiency on the same backend: an estimate, the closest
figures there are until the check has run once.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpmodel.core.backends import traits
from mpmodel.core.policies import BASELINE, POLICIES
from mpmodel.core.profiles import flops_per_step, resolve_profile
from mpmodel.measure.cost import fit_s, test_s
from mpmodel.measure.looks import accuracy_design, speedup_design
from mpmodel.measure.rounds import ROUND_TARGET_S

BACKENDS = ("jax", "torch")
WORKLOADS = ("mlp", "conv", "transformer")



@dataclass(frozen=True)
class H200Run:
    """One backend's run on the H200 (2026-11-28), the seed MLP at fp32 default (PyTorch leaves TF32 off, JAX's
    default matmul precision uses it): each policy's step seconds (the suite's medians) and its kernels' TFLOP/s
    alone; and beyond the cost model's benchmarks, the run's seconds per policy and float32 variant (its speed
    of light and step probe), after a process start of START_S."""

    backend: str
    step_s: dict[str, float]
    kernel_tflops: dict[str, float]
    per_policy_s: float


# PyTorch's run took 292 s against the cost model's 226 s for 6 policy-variant pairs, JAX's 92 s against 70 s
# for 3: 15 s to start, then 8.5 s a policy under PyTorch (the probe's child processes import torch), 2.3 under JAX.
START_S = 15.0
H200_RUNS = (
    H200Run("torch", {"float32": 0.02366, "mixed_float16": 0.00822, "mixed_bfloat16": 0.00610},
            {"float32": 50.0, "mixed_float16": 591.0, "mixed_bfloat16": 619.0}, 8.5),
    H200Run("jax", {"float32": 0.003426, "mixed_float16": 0.001700, "mixed_bfloat16": 0.001665},
            {"float32": 295.7, "mixed_float16": 455.3, "mixed_bfloat16": 517.0}, 2.3),
)


def h200(backend: str) -> H200Run:
    return next(run for run in H200_RUNS if run.backend == backend)


COMPILE_S = 40.0  # torch.compile of one model on a GPU: a guess (never measured here), counted per model built
SEED_SAMPLES = {"mlp": (60000, 10000), "conv": (50000, 10000), "transformer": (50000, 10000)}
BOUND_S = 8.0  # speed_of_light_bound.py: per policy, 4 runs warmed (1 s each) and K compiled, beyond its rounds
BOUND_ROUNDS = 7
CROSS_S = 6.0  # the cross-check, per workload and policy: build, warm-up, 7 rounds by both clocks


@dataclass
class Part:
    backend: str
    name: str  # suite, cross-check, bound, accuracy, compiled
    workloads: tuple[str, ...]
    predicted_s: float  # on an H200 at the seed sizes, every sequential gate to its last look
    least_s: float = 0.0  # every sequential gate deciding at its first look (0: as predicted_s)
    policies: tuple[str, ...] = POLICIES  # float32 first: every gate is against it

    @property
    def key(self) -> str:
        """The part's files' stem: a pytest part is one workload (its results are written when its session ends)."""
        own = f"-{self.workloads[0]}" if self.name in PYTEST_PARTS else ""
        return f"{self.backend}-{self.name}{own}"


PYTEST_PARTS = ("suite", "accuracy", "compiled")


def step_s(backend: str, workload: str, policy: str) -> float:
    """The seed step's seconds on the H200: measured for the MLP, estimated for the others."""
    run = h200(backend)
    if workload == "mlp":
        return run.step_s[policy]
    tflops = run.kernel_tflops[policy] * 1e12
    efficiency = min(1.0, flops_per_step(resolve_profile("mlp", "seed")) / tflops / run.step_s[policy])
    return flops_per_step(resolve_profile(workload, "seed")) / tflops / efficiency


def suite_s(backend: str, workloads, compiled: bool = False, first: bool = False, policies=POLICIES) -> float:
    """A suite part's seconds: its speedup gates to their last look, or (`first`) decided at their first."""
    total = START_S
    for w in workloads:
        profile = resolve_profile(w, "seed")
        n_train, n_test = SEED_SAMPLES[w]
        base = step_s(backend, w, BASELINE)
        total += len(policies) * h200(backend).per_policy_s
        pairs = speedup_design("sequential", profile.timing_pairs).first if first else None
        for mixed in (p for p in policies if p != BASELINE):
            total += test_s("test_speedup", profile, n_train, n_test, base, step_s(backend, w, mixed), pairs=pairs)
            total += 2 * COMPILE_S if compiled else 0
        if not compiled:
            total += sum(test_s("test_memory", profile, n_train, n_test, base, step_s(backend, w, p)) for p in policies)
    return total


def accuracy_s(backend: str, workloads, seeds: int, first: bool = False, policies=POLICIES) -> float:
    """An accuracy part's seconds: `seeds` paired fits of each policy, or (`first`) the sequential gate's first look's."""
    seeds = accuracy_design("sequential", seeds).first if first else seeds
    total = START_S
    for w in workloads:
        profile = resolve_profile(w, "seed")
        n_train, n_test = SEED_SAMPLES[w]
        total += len(policies) * h200(backend).per_policy_s
        total += seeds * sum(fit_s(profile, n_train, n_test, step_s(backend, w, p)) for p in policies)
    return total


def cross_s(backend: str, workloads, policies=POLICIES) -> float:
    return START_S + CROSS_S * len(policies) * len(workloads)


def bound_s(backend: str, workloads, policies=POLICIES) -> float:
    rounds = BOUND_ROUNDS * 4 * ROUND_TARGET_S * 1.5  # the step and 3 variants a round, rounds ~1.5x the target
    return START_S + len(workloads) * len(policies) * (BOUND_S + rounds)


def plan(backends, workloads, accuracy_seeds: int, compiled_workloads, bound_workloads, policies=POLICIES) -> list[Part]:
    """The parts in the order they run, each with its predicted seconds on an H200: every workload's gates on both
    backends first, then the device's cross-check and the bound study, then the accuracy fits, then compiled
    PyTorch. `policies` (float32 and the mixed ones to check) are every part's."""
    pol = tuple(policies)
    parts = [Part(b, "suite", (w,), suite_s(b, [w], policies=pol), suite_s(b, [w], first=True, policies=pol), pol)
             for w in workloads for b in backends]
    parts += [Part(b, "cross-check", tuple(workloads), cross_s(b, workloads, pol), policies=pol) for b in backends]
    if bound_workloads:
        parts += [Part(b, "bound", tuple(bound_workloads), bound_s(b, bound_workloads, pol), policies=pol)
                  for b in backends]
    parts += [Part(b, "accuracy", (w,), accuracy_s(b, [w], accuracy_seeds, policies=pol),
                   accuracy_s(b, [w], accuracy_seeds, first=True, policies=pol), pol)
              for w in workloads for b in backends]
    # a compiled part where Keras's `auto` runs the step eagerly on a GPU (PyTorch): JAX's `auto` already compiles
    parts += [Part(b, "compiled", (w,), suite_s(b, [w], compiled=True, policies=pol),
                   suite_s(b, [w], compiled=True, first=True, policies=pol), pol)
              for w in compiled_workloads for b in backends if not traits(b).auto_compiles(gpu_visible=True)]
    return parts


def budget_lines(parts: list[Part], limit_s: float) -> list[str]:
    """The budget as printed before the check starts: each part's predicted time (its least, every sequential gate
    deciding at its first look, where that differs), the running total of the most, and whether it fits; then the
    totals."""
    lines, total, least = [], 0.0, 0.0
    for part in parts:
        total += part.predicted_s
        least += part.least_s or part.predicted_s
        fits = "fits" if not limit_s or total <= limit_s else f"past the {limit_s:.0f} s limit"
        span = (f"{part.least_s:4.0f}-{part.predicted_s:4.0f} s" if part.least_s and part.least_s < part.predicted_s
                else f"     {part.predicted_s:4.0f} s")
        lines.append(f"  {part.key:26s} ~{span}  (total ~{total:4.0f} s; {fits})")
    lines.append(f"  the whole check: ~{least:.0f}-{total:.0f} s (every gate at its first look to its last)")
    return lines
