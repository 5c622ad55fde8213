"""Before the first benchmark: the speed of light of every step the run needs and the real step of every model it
will build, both measured now (minutes on a slow CPU), then what the run will take and what a crawling policy
will not run. The session writes these lines after the header (mpmodel.plugin.header: text only, nothing
measured)."""

from __future__ import annotations

import time

from mpmodel.core.parsing import choice_rank
from mpmodel.core.policies import POLICIES
from mpmodel.core.step_key import StepKey
from mpmodel.core.workloads import DEFAULT
from mpmodel.measure.budget import Cuts
from mpmodel.measure.cost import Prediction, predict
from mpmodel.measure.probe import PROBE_STEPS
from mpmodel.measure.results import CATALOGUE
from mpmodel.plugin.keys import WORKLOAD_ARG
from mpmodel.plugin.run_context import RunContext

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


def prediction(ctx: RunContext, tests, spent_s: float = 0.0, cuts: Cuts | None = None) -> Prediction:
    """What `tests` of `ctx`'s workload will take (its probes measured), under `cuts` (the session's where not
    given): a crawling step is not timed, one that does not run is not either, and a cut one is not run."""
    cuts = ctx.session.cuts if cuts is None else cuts
    kept = [(name, key) for name, key in tests if cuts.cut(ctx.profile.workload.name, key.fp32) is None]

    def skipped(key):
        return ctx.crawls(key) or ctx.not_running(key) is not None

    data = ctx.data
    return predict(ctx.profile, data.x_train.shape[0], data.x_test.shape[0], kept, ctx.step_estimate, skipped,
                   lambda name: ctx.fit_seeds(name, cuts), spent_s, ctx.settings.design, cuts.pairs)


def preflight_lines(ctx: RunContext, items, clock=time.perf_counter, started: float | None = None,
                    verbose: bool = True) -> list[str]:
    """The speed of light of every dtype the run needs and the real step of every model it will build (both
    measured now), what the run will take, and the tests a crawling policy will not run in full. `started`:
    the session's start on `clock`, so the prediction counts the time already spent. `verbose` (-v): a line per
    step; else one line for the speeds of light and one for the probes, and a line per crawling step."""
    tests = planned_tests(ctx, items)
    if not tests:
        return []
    start = clock()
    tag = "" if ctx.profile.workload.name == DEFAULT else f" ({ctx.profile.workload.name})"
    needed = {k.float32 for _, k in tests} | {k for _, k in tests}
    distinct: dict[StepKey, StepKey] = {}  # one line per step as run (RunContext.slot): modes that resolve alike share one
    for key in sorted(needed, key=lambda k: (choice_rank(POLICIES, k.policy), k.jit, k.fp32)):
        distinct.setdefault(ctx.slot(key), key)
    keys = list(distinct.values())
    name = short_names(keys)
    lines = []
    sols = {key: ctx.speed_of_light(key) for key in keys}
    took = f"measured in {clock() - start:.0f} s"
    if verbose:
        for key, sol in sols.items():
            measured = f"failed: {sol.error}" if sol.error else f"{sol.tflops:.3g} TFLOP/s, {sol.seconds * 1e3:.3g} ms per step"
            lines.append(f"mpmodel speed of light{tag}: {key.describe()} {measured}")
        lines[-1] += f" ({took})"
    else:
        each = [f"{name[k]} failed: {sol.error}" if sol.error else f"{name[k]} {sol.tflops:.3g} TFLOP/s "
                f"({sol.seconds * 1e3:.3g} ms)" for k, sol in sols.items()]
        lines.append(f"mpmodel speed of light{tag}: {', '.join(each)} a step ({took})")
    start = clock()
    ctx.probe_steps(needed)
    took = f"probed in {clock() - start:.0f} s"
    if verbose:
        for key in keys:
            crawling = f"; crawling: {ctx.crawl_evidence(key)}" if ctx.crawls(key) else ""
            lines.append(f"mpmodel step probe{tag}: {key.describe()} {ctx.probed(key).describe()}{crawling}")
        lines[-1] += f" ({took})"
    else:
        each = [f"{name[k]} {ctx.probed(k).short()}" for k in keys]
        lines.append(f"mpmodel step probe{tag}: {', '.join(each)} (the median of {PROBE_STEPS} steps each; {took})")
        lines += [f"mpmodel step probe{tag}: crawling: {ctx.crawl_evidence(k)}" for k in keys if ctx.crawls(k)]
    predicted = prediction(ctx, tests, spent_s=clock() - started if started is not None else 0.0)
    lines.append(f"mpmodel predicts{tag}: {predicted.describe()}")
    crawling: dict[StepKey, list[str]] = {}
    broken: dict[StepKey, str] = {}
    def skipped(key):
        return ctx.crawls(key) or ctx.not_running(key) is not None

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


def short_names(keys: list[StepKey]) -> dict[StepKey, str]:
    """Each step as a one-line summary names it: its policy where that alone tells the steps apart, else whole."""
    policies = [k.policy for k in keys]
    alone = len(set(policies)) == len(policies)
    return {k: k.policy if alone else k.describe() for k in keys}
