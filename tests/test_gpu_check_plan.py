"""The GPU check's parts and budget: the suite's cost model on the H200's measured MLP steps, the other workloads
estimated from their FLOPs, the parts ordered so that a check stopped at its limit has both backends' gates first."""


import pytest

from conftest import import_study


@pytest.fixture(scope="module")
def plan_module():
    return import_study("gpu_check_plan")


def test_the_mlp_uses_the_h200s_measured_steps_and_the_others_scale_by_flops(plan_module):
    from mpmodel.core.profiles import flops_per_step, resolve_profile

    assert plan_module.step_s("torch", "mlp", "float32") == 0.02366
    conv, mlp = (flops_per_step(resolve_profile(w, "seed")) for w in ("conv", "mlp"))
    # float32 under PyTorch: the MLP's kernels at 50 TFLOP/s and its step at efficiency (931.9 / 50) / 23.66 ms = 0.788
    assert plan_module.step_s("torch", "conv", "float32") == pytest.approx(0.02366 * conv / mlp)
    # JAX's mixed MLP steps beat their kernels (efficiency above 1): the estimate caps the efficiency at 1
    assert plan_module.step_s("jax", "conv", "mixed_float16") == pytest.approx(conv / 455.3e12)


def test_parts_run_gates_first_and_alternate_backends(plan_module):
    parts = plan_module.plan(("jax", "torch"), ("mlp", "conv"), 3, ("mlp",), ("mlp",))
    assert [p.key for p in parts] == [
        "jax-suite-mlp", "torch-suite-mlp", "jax-suite-conv", "torch-suite-conv", "jax-cross-check", "torch-cross-check",
        "jax-bound", "torch-bound", "jax-accuracy-mlp", "torch-accuracy-mlp", "jax-accuracy-conv", "torch-accuracy-conv",
        "torch-compiled-mlp"]
    assert all(p.predicted_s > plan_module.START_S for p in parts)
    assert plan_module.plan(("jax",), ("mlp",), 3, ("mlp",), ())[-1].key == "jax-accuracy-mlp"  # no PyTorch: no compiled


def test_the_budget_says_which_parts_fit_the_limit(plan_module):
    parts = plan_module.plan(("jax", "torch"), ("mlp",), 3, (), ())
    limit = parts[0].predicted_s + 1
    lines = plan_module.budget_lines(parts, limit_s=limit)
    assert lines[0].strip().startswith("jax-suite-mlp") and lines[0].endswith("fits)")
    assert lines[1].strip().startswith("torch-suite-mlp") and lines[1].endswith(f"past the {limit:.0f} s limit)")
    assert all("fits" in line for line in plan_module.budget_lines(parts, 0)[:-1])  # no limit
    least, most = sum(p.least_s or p.predicted_s for p in parts), sum(p.predicted_s for p in parts)
    assert lines[-1] == f"  the whole check: ~{least:.0f}-{most:.0f} s (every gate at its first look to its last)"


def test_the_sequential_gates_first_looks_give_each_gate_part_its_least(plan_module):
    suite, accuracy = plan_module.plan(("torch",), ("mlp",), 5, (), ())[::2]
    assert suite.least_s < suite.predicted_s and accuracy.least_s < accuracy.predicted_s
    # the accuracy part at its least: 2 paired seeds of each policy, not 5
    fits = accuracy.predicted_s - plan_module.accuracy_s("torch", ["mlp"], 0)
    assert accuracy.predicted_s - accuracy.least_s == pytest.approx(fits * 3 / 5)


def test_more_seeds_cost_more_fits(plan_module):
    assert plan_module.accuracy_s("torch", ["conv"], 5) > plan_module.accuracy_s("torch", ["conv"], 3)


def test_fewer_policies_cost_less_and_every_part_carries_them(plan_module):
    every = plan_module.plan(("torch",), ("mlp",), 3, ("mlp",), ("mlp",))
    two = plan_module.plan(("torch",), ("mlp",), 3, ("mlp",), ("mlp",), ("float32", "mixed_bfloat16"))
    assert [p.key for p in two] == [p.key for p in every]
    assert all(p.policies == ("float32", "mixed_bfloat16") for p in two)
    assert all(a.predicted_s < b.predicted_s for a, b in zip(two, every, strict=True))
