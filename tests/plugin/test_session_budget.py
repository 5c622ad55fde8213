"""--mp-budget in a session: planned from the probed steps, its cuts kept in the session and obeyed by the
benchmarks (fewer pairs and seeds, a cut step skipped saying so), and a budget the least run exceeds refused."""

import dataclasses
from types import SimpleNamespace

import pytest

from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.device import DeviceInfo
from mpmodel.core.profiles import flops_per_step, get_profile
from mpmodel.core.step_key import StepKey
from mpmodel.measure.budget import Cuts, OverBudget
from mpmodel.measure.ceilings import SpeedOfLight
from mpmodel.measure.probe import ProbedStep
from mpmodel.plugin.budget import plan_session
from mpmodel.plugin.preflight import planned_tests, prediction
from mpmodel.plugin.run_context import RunContext, SuiteSession
from mpmodel.plugin.settings import Settings


def zen4_context(budget):
    """A session on a bf16 CPU under TensorFlow, float32 and bf16 probed at 52 and 30 ms a step."""
    settings = Settings(profile="small", policies=("float32", "mixed_bfloat16"), jit=("auto",), fp32=("auto",),
                        min_speedup={}, accuracy_tol=0.01, data="synthetic", require_gpu=False, budget=budget)
    ctx = RunContext(SuiteSession(settings, DeviceInfo(cpu_arch="x86_64", versions={"keras_backend": "tensorflow"})),
                     get_profile("small"), synthetic_mnist(6000, 1000))
    flops = flops_per_step(ctx.profile)
    for policy, step in (("float32", 0.052), ("mixed_bfloat16", 0.030)):
        for fp32 in ("default", "strict"):
            key = StepKey(policy, "auto", fp32).same_step()
            ctx.speeds_of_light[key] = SpeedOfLight(step * 0.9, flops, 1)
            ctx.probes[key] = ProbedStep(policy, 1.0 + step, (step, step, step))
    return ctx


def item(name, policy_key, policy, fp32="default"):
    return SimpleNamespace(originalname=name, callspec=SimpleNamespace(
        params={"profile_name": "small", "jit": "auto", "fp32": fp32, policy_key: policy}))


ITEMS = [item(t, "mixed_policy", "mixed_bfloat16", v) for t in ("test_speedup", "test_accuracy",
                                                                  "test_seed_recipe_accuracy") for v in ("default", "strict")]


def whole_s(ctx):
    return prediction(ctx, planned_tests(ctx, ITEMS)).seconds


def test_a_budget_the_run_fits_cuts_nothing():
    ctx = zen4_context(budget=60.0)
    assert plan_session([ctx], ITEMS, 0.0).endswith("nothing cut")
    assert ctx.session.cuts == Cuts() and ctx.timing_pairs == 15 and ctx.fit_seeds("test_accuracy") == 3


def test_a_tight_budget_cuts_in_order_and_the_benchmarks_obey():
    uncut = whole_s(zen4_context(None))
    ctx = zen4_context(budget=0.9 * uncut / 60)
    assert plan_session([ctx], ITEMS, 0.0).endswith("cut to fit: speedup pairs 15 -> 9, accuracy seeds 3 -> 2; now up "
                                                   f"to {round(whole_s(ctx))} s")
    assert ctx.timing_pairs == 9 and ctx.fit_seeds("test_accuracy") == 2 and ctx.fit_seeds("test_seed_recipe_accuracy") == 1
    ctx = zen4_context(budget=0.5 * uncut / 60)
    assert "the seed recipe's reported fits, the float32 strict variant; now up to" in plan_session([ctx], ITEMS, 0.0)
    assert ctx.fit_seeds("test_seed_recipe_accuracy") == 0 and whole_s(ctx) <= 0.5 * uncut
    bench = SimpleNamespace(extra_info={}, fullname="test_speedup.py::test_speedup[small-jit_auto-fp32_strict-x]")
    with pytest.raises(pytest.skip.Exception, match="the float32 strict variant was cut by --mp-budget"):
        ctx.stop_if_not_running(bench, StepKey("mixed_bfloat16", "auto", "strict"))
    assert ctx.session.verdicts[-1][1] == "skip"


def test_a_cut_workload_is_skipped_saying_so_and_a_kept_step_runs():
    ctx = zen4_context(budget=1.0)
    ctx.session.cuts = Cuts(workloads=("conv",))
    bench = SimpleNamespace(extra_info={}, fullname="test_speedup.py::test_speedup[small-jit_auto-fp32_default-x]")
    with pytest.raises(pytest.skip.Exception, match="not measured: workload mlp was cut by --mp-budget 1 to fit"):
        ctx.stop_if_not_running(bench, StepKey("mixed_bfloat16", "auto", "default"))
    assert bench.extra_info["gate"] == "skip"
    ctx.session.cuts = Cuts(workloads=("mlp",))
    assert ctx.stop_if_not_running(bench, StepKey("mixed_bfloat16", "auto", "default")) is None


def test_a_budget_even_the_least_run_exceeds_stops_the_session():
    ctx = zen4_context(budget=0.01)
    with pytest.raises(OverBudget, match=r"^--mp-budget 0.01: even the least run with every cut \(speedup pairs 15 -> 9"):
        plan_session([ctx], ITEMS, 0.0)
    assert dataclasses.asdict(ctx.session.cuts) == dataclasses.asdict(Cuts())  # nothing kept from a refused plan
