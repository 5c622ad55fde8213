"""What the session says before it runs: the settings, then the profile, data, device and what each
mixed policy is expected to reach, so a reader knows which gate applies before any result."""

from __future__ import annotations

import time

from mpmodel.core.kernels import ATTENTION, CONV, MATMUL
from mpmodel.core.parsing import choice_rank
from mpmodel.core.policies import MIXED_POLICIES, POLICIES
from mpmodel.core.profiles import flops_per_step, step_kernels
from mpmodel.core.recipes import GATE_RECIPE
from mpmodel.core.step_key import StepKey
from mpmodel.core.workload import uncounted_layers
from mpmodel.core.workloads import DEFAULT
from mpmodel.measure.cost import predict
from mpmodel.measure.expectations import NO_ROW, device_class
from mpmodel.measure.gates import ACCURACY_CONFIDENCE
from mpmodel.measure.results import CATALOGUE
from mpmodel.measure.rounds import ROUND_TARGET_S, TIMING_METHOD, WARMUP_MIN_S
from mpmodel.plugin.keys import WORKLOAD_ARG
from mpmodel.plugin.run_context import RunContext
from mpmodel.plugin.settings import Settings


def settings_line(s: Settings) -> str:
    tolerance = s.accuracy_tol if s.accuracy_tol is not None else "workload"
    workloads = "auto" if s.workloads_auto else ",".join(w.name for w in s.workloads)
    return (f"mpmodel: workload={workloads} profile={s.profile} "
            f"policies={','.join(s.policies)} jit={','.join(s.jit)} "
            f"fp32={','.join(s.fp32)} data={s.data}{' (offline)' if s.offline else ''} "
            f"accuracy_tol={tolerance} accuracy_seeds={s.accuracy_seeds or 'profile'} "
            f"min_speedup={s.min_speedup or 'table'}{' slow_policies' if s.slow_policies else ''}")


def kernels_line(p) -> str:
    """What the FLOPs and the speed of light count: the workload's own kernels, or its Dense layers alone."""
    kernels = step_kernels(p)
    count = ", ".join(f"{sum(k.op == op for k in kernels)} {op}" for op in (MATMUL, CONV, ATTENTION)
                      if any(k.op == op for k in kernels))
    line = f"mpmodel kernels: {flops_per_step(p) / 1e9:.3g} GFLOP a step ({count or 'none'})"
    missing = uncounted_layers(p.workload, p.size) if not p.workload.gives_kernels() else []
    if missing:
        line += (f"; read from the Dense layers, so these layers' work is not counted: {', '.join(missing)} "
                 "(the workload's step_kernels can give it)")
    return line


def context_lines(ctx: RunContext) -> list[str]:
    """Profile, data, device and the expectation for every mixed policy, compile mode and float32 variant."""
    p, data = ctx.profile, ctx.data
    why = f"; {data.note}" if data.note else ""
    w = p.workload
    lines = [f"mpmodel workload: {w.name} v{w.version} ({w.description})" + (f" from {w.spec}" if w.spec else ""),
             f"mpmodel profile: {p.name} ({p.describe()}; {p.description})",
             f"mpmodel accuracy: gate on the {GATE_RECIPE.name} recipe ({GATE_RECIPE.description}), "
             f"{ctx.fit_seeds('test_accuracy')} paired seeds, passes when the {ACCURACY_CONFIDENCE:.0%} lower bound of the "
             f"mean drop is within {ctx.accuracy_tol}; the seed's recipe reported over "
             f"{ctx.fit_seeds('test_seed_recipe_accuracy')} seed(s)",
             f"mpmodel data: {data.source} ({data.x_train.shape[0]} train / {data.x_test.shape[0]} test{why})",
             kernels_line(p),
             f"mpmodel device: {ctx.device.summary()}",
             f"mpmodel device class: {device_class(ctx.device)}",
             f"mpmodel timing: {TIMING_METHOD}: each round K steps and one host sync, K chosen per model so a "
             f"round lasts >= {ROUND_TARGET_S} s; warm-up >= {WARMUP_MIN_S:g} s"]
    for variant in ctx.fp32_variants:
        with ctx.float32_matmuls(variant):
            tf32 = ctx.tf32()
        against = "" if tf32 is None else f" against float32 {variant} (TF32 {'on' if tf32 else 'off'})"
        for mode in ctx.settings.jit:
            for policy in ctx.settings.policies:
                if policy in MIXED_POLICIES:
                    e = ctx.expectation(policy, tf32, mode)
                    want = (f">= {e.min_speedup}x" if e.min_speedup is not None else
                            "half the gain of the measured matmul ceiling" if e.source == NO_ROW else "no speedup expected")
                    lines.append(f"mpmodel expects {policy} (jit {mode}){against}: {want} ({e.source}: {e.reason})")
    return lines


TIMED_TESTS = tuple(CATALOGUE)


def planned_tests(ctx: RunContext, items) -> list[tuple[str, StepKey]]:
    """(test name, step key) for each of the suite's benchmarks of `ctx`'s workload."""
    out = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get(WORKLOAD_ARG, ctx.profile.workload.name) != ctx.profile.workload.name:
            continue
        name = getattr(item, "originalname", "")
        policy = params.get("policy") or params.get("mixed_policy")
        if name not in TIMED_TESTS or policy is None or "fp32" not in params or "jit" not in params:
            continue
        if name == "test_memory" and not ctx.settings.memory:
            continue  # skipped under --mp-memory off
        out.append((name, ctx.key(policy, params["jit"], params["fp32"])))
    return out


def cost_lines(ctx: RunContext, items, clock=time.perf_counter, started: float | None = None) -> list[str]:
    """The speed of light of every dtype the run needs and the real step of every model it will build (both
    measured now), what the run will take, and the tests a crawling policy will not run in full. `started`:
    the session's start on `clock`, so the prediction counts the time already spent."""
    tests = planned_tests(ctx, items)
    if not tests:
        return []
    start = clock()
    tag = "" if ctx.profile.workload.name == DEFAULT else f" ({ctx.profile.workload.name})"
    needed = {k.float32 for _, k in tests} | {k for _, k in tests}
    distinct: dict[StepKey, StepKey] = {}  # one line per model: TF32 (the float32 variant) matters to float32 alone
    for key in sorted(needed, key=lambda k: (choice_rank(POLICIES, k.policy), k.jit, k.fp32)):
        distinct.setdefault(key.same_step(), key)
    lines = []
    for key in distinct.values():
        sol = ctx.speed_of_light(key)
        measured = f"failed: {sol.error}" if sol.error else f"{sol.tflops:.3g} TFLOP/s, {sol.seconds * 1e3:.3g} ms per step"
        lines.append(f"mpmodel speed of light{tag}: {key.describe()} {measured}")
    lines[-1] += f" (measured in {clock() - start:.0f} s)"
    start = clock()
    ctx.probe_steps(needed)
    for key in distinct.values():
        crawling = f"; crawling: {ctx.crawl_facts(key)}" if ctx.crawls(key) else ""
        lines.append(f"mpmodel step probe{tag}: {key.describe()} {ctx.probed(key).describe()}{crawling}")
    lines[-1] += f" (probed in {clock() - start:.0f} s)"
    data, profile = ctx.data, ctx.profile

    def skipped(key):  # a crawling step is not timed, and one that does not run is not either
        return ctx.crawls(key) or ctx.not_running(key) is not None

    prediction = predict(profile, data.x_train.shape[0], data.x_test.shape[0], tests, ctx.step_estimate, skipped,
                         ctx.fit_seeds, spent_s=clock() - started if started is not None else 0.0)
    lines.append(f"mpmodel predicts{tag}: {prediction.describe()}")
    crawling: dict[StepKey, list[str]] = {}
    broken: dict[StepKey, str] = {}
    for name, key in tests:
        if why := ctx.not_running(key):
            broken[key] = why
        elif skipped(key):
            crawling.setdefault(key, []).append(f"{name} {ctx.would_take(name, key)}")
    for key, why in broken.items():
        lines.append(f"mpmodel will not run {key.policy} (jit {key.jit}, float32 {key.fp32}): {why}")
    for key, costs in crawling.items():
        lines.append(f"mpmodel will not run {key.policy} (jit {key.jit}, float32 {key.fp32}) in full: it crawls here "
                     f"(the probe above); {', '.join(costs)}; --mp-slow-policies runs them")
    return lines
