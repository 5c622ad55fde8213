"""The run's predicted cost: each benchmark's time from the step time and the suite's own rules, float32's
fits counted once, skipped fits not counted; the slow-fit rule's threshold."""

import pytest

from mpmodel.core.profiles import get_profile
from mpmodel.core.step_key import StepKey
from mpmodel.measure import cost

SMALL = get_profile("small")


def test_step_time_counts_warm_up_rounds_and_single_calls():
    # 50 ms steps: K = 4 (0.2 s rounds), warm-up 2 s, 12 rounds of 4 steps, single calls capped at 2 s (7 x 50 ms = 0.35 s)
    assert cost.step_time_s(SMALL, 0.05) == pytest.approx(cost.BUILD_S + 2.0 + 12 * 4 * 0.05 + 7 * 0.05)
    # 5 s steps (bf16 without bf16 instructions): warm-up 3 steps, K = 1, single calls stop after 3
    assert cost.step_time_s(SMALL, 5.0) == pytest.approx(cost.BUILD_S + 15.0 + 12 * 5.0 + 15.0)


def test_speedup_pairs_share_one_k_set_by_the_faster_policy():
    k = 8  # 0.2 s / 0.03 s -> 6.7 -> 8
    assert cost.speedup_s(SMALL, 0.05, 0.03) == pytest.approx(2 * cost.BUILD_S + 2.0 + 2.0 + (15 + 2) * k * 0.08)


def test_a_fit_is_epochs_of_steps_and_validation_then_the_test_pass():
    # 60000 images: 48000 to fit (24 batches of 2048), 12000 to validate (6), 10000 to test (5)
    step, host = 0.1, cost.FIT_EPOCH_S
    assert cost.fit_s(SMALL, 60000, 10000, step) == pytest.approx(
        cost.BUILD_S + 5 * (host + 24 * step + 6 * step / 3) + 5 * step / 3)


def test_prediction_counts_float32_fits_once_and_leaves_crawling_policies_out():
    def key(policy):
        return StepKey(policy, "off", "default")

    tests = [("test_step_time", key("float32")), ("test_accuracy", key("mixed_float16")),
             ("test_accuracy", key("mixed_bfloat16")), ("test_seed_recipe_accuracy", key("mixed_float16"))]
    seeds = {"test_accuracy": 3, "test_seed_recipe_accuracy": 1}.get
    times = {"float32": 0.05, "mixed_float16": 0.06, "mixed_bfloat16": 5.0}

    def step_s(key):
        return times[key.policy]

    def fits(n, *policies):
        return sum(n * cost.fit_s(SMALL, 60000, 10000, times[p]) for p in policies)

    seed_recipe = fits(1, "float32", "mixed_float16")  # its own float32 fits: another recipe
    every = cost.predict(SMALL, 60000, 10000, tests, step_s, skipped=lambda *a: False, seeds=seeds)
    assert every.parts["accuracy"] == pytest.approx(fits(3, "float32", "mixed_float16", "mixed_bfloat16") + seed_recipe)
    slow_skipped = cost.predict(SMALL, 60000, 10000, tests, step_s, skipped=lambda k: k.policy == "mixed_bfloat16", seeds=seeds)
    assert slow_skipped.parts["accuracy"] == pytest.approx(fits(3, "float32", "mixed_float16") + seed_recipe)
    tests.append(("test_step_time", key("mixed_bfloat16")))  # a crawling policy is not timed either
    assert cost.predict(SMALL, 60000, 10000, tests, step_s, lambda k: k.policy == "mixed_bfloat16", seeds).seconds == \
        pytest.approx(slow_skipped.seconds)
    assert slow_skipped.seconds == pytest.approx(slow_skipped.parts["accuracy"] + cost.step_time_s(SMALL, 0.05))
    assert "from the probed steps" in slow_skipped.describe()


def test_the_prediction_counts_the_time_already_spent():
    tests = [("test_step_time", StepKey("float32", "off", "default"))]
    later = cost.predict(SMALL, 60000, 10000, tests, lambda *a: 0.05, lambda *a: False, spent_s=42.0)
    assert later.total_s == pytest.approx(42.0 + later.seconds)
    assert later.describe().startswith(f"about {cost.minutes(later.total_s)} in all: 42 s so far")


def test_test_s_names_its_tests_and_refuses_others():
    assert cost.test_s("test_step_time", SMALL, 60000, 10000, 0.05, 0.05) == cost.step_time_s(SMALL, 0.05)
    assert cost.test_s("test_speedup", SMALL, 60000, 10000, 0.05, 0.03) == cost.speedup_s(SMALL, 0.05, 0.03)
    assert cost.test_s("test_accuracy", SMALL, 60000, 10000, 0.05, 0.03, 4) == 4 * cost.fit_s(SMALL, 60000, 10000, 0.03)
    assert cost.test_s("test_seed_recipe_accuracy", SMALL, 60000, 10000, 0.05, 0.03, 0) == 0
    assert cost.test_s("test_memory", SMALL, 60000, 10000, 0.05, 0.03) == cost.MEMORY_PROBE_S + 7 * 0.03
    with pytest.raises(ValueError, match="no cost model for 'test_other'"):
        cost.test_s("test_other", SMALL, 60000, 10000, 0.05, 0.05)


def test_minutes_reads_as_seconds_then_minutes():
    assert cost.minutes(42.4) == "42 s"
    assert cost.minutes(1860) == "31.0 min"


def test_a_sequential_run_is_predicted_from_every_gate_s_first_look_to_its_last():
    key = StepKey("mixed_bfloat16", "off", "default")
    tests = [("test_speedup", key), ("test_accuracy", key), ("test_seed_recipe_accuracy", key)]
    seeds = {"test_accuracy": 3, "test_seed_recipe_accuracy": 1}.get

    def predicted(design):
        return cost.predict(SMALL, 60000, 10000, tests, lambda k: 0.05, lambda k: False, seeds, 10.0, design)

    fixed, sequential = predicted("fixed"), predicted("sequential")
    assert sequential.total_s == pytest.approx(fixed.total_s) and fixed.least_total_s == pytest.approx(fixed.total_s)
    fit = cost.fit_s(SMALL, 60000, 10000, 0.05)
    saved = cost.speedup_s(SMALL, 0.05, 0.05) - cost.speedup_s(SMALL, 0.05, 0.05, 9) + 2 * fit  # 6 pairs, 1 paired seed
    assert sequential.total_s - sequential.least_total_s == pytest.approx(saved)
    least = cost.minutes(sequential.least_total_s)
    assert sequential.describe().startswith(f"about {cost.minutes(sequential.total_s)} in all, at least {least} "
                                            "where every gate decides at its first look")
    assert ", at least" not in fixed.describe()
