import math

import numpy as np

from mpmodel.measure.expectations import X86_BF16, Expectation
from mpmodel.measure.gates import (
    AccuracyComparison,
    accuracy_verdict,
    crawling_verdict,
    memory_verdict,
    seed_recipe_report,
    speedup_verdict,
)
from mpmodel.measure.sequential import Stop
from mpmodel.measure.stats import Estimate

EXPECT = Expectation(X86_BF16, "mixed_bfloat16", 1.3, "bf16 units")


def test_speedup_passes_when_ci_low_reaches_minimum():
    v = speedup_verdict("mixed_bfloat16", Estimate(1.8, 1.7, 1.9, 15, 0.95), EXPECT)
    assert v.passed and v.expected and "1.800x" in v.message


def test_speedup_fails_on_ci_low_even_with_a_good_median_and_says_why():
    v = speedup_verdict("mixed_bfloat16", Estimate(1.4, 1.25, 1.6, 15, 0.95), EXPECT)
    assert not v.passed
    for part in ("1.400x", "[1.250, 1.600]", "15 interleaved pairs", "1.3x", "expectations table", "bf16 units"):
        assert part in v.message


def test_speedup_without_expectation_is_not_a_verdict():
    v = speedup_verdict("mixed_float16", Estimate(0.9, 0.85, 0.95, 15, 0.95),
                        Expectation(X86_BF16, "mixed_float16", None, "no fp16 path"))
    assert not v.expected and "no speedup expected" in v.message and "no fp16 path" in v.message


def test_accuracy_gate_passes_when_the_lower_bound_is_within_the_tolerance():
    # deltas -0.001, +0.001, -0.002: mean -0.00067, sd 0.00153, t(0.95, 2) = 2.92: bound -0.00324
    c = AccuracyComparison([0, 1, 2], [0.940, 0.938, 0.941], [0.939, 0.939, 0.939])
    v = accuracy_verdict("mixed_bfloat16", c, 0.01, [])
    assert v.passed, v.message
    assert "mean -0.0007 (sd 0.0015), 95% lower bound -0.0032" in v.message and "recipe decay" in v.message
    assert "seed 2: 0.9390 vs 0.9410" in v.message and "under the tolerance 0.01 at 95% confidence" in v.message


def test_accuracy_gate_fails_a_two_point_drop_and_says_the_mean_alone_exceeds_it():
    c = AccuracyComparison([0, 1, 2], [0.940, 0.938, 0.941], [0.921, 0.917, 0.920])
    v = accuracy_verdict("mixed_bfloat16", c, 0.01, [])
    assert not v.passed and "bound lies below -0.01" in v.message and "the mean drop alone, 0.0203, exceeds it" in v.message


def test_a_harness_check_records_an_inconclusive_bound_and_skips_but_fails_a_nonfinite_loss():
    """tiny's conv on an AVX2 EPYC (2026-12-02): seeds 0.7450 vs 0.7710, 0.8505 vs 0.8240, 0.6395 vs 0.6060."""
    c = AccuracyComparison([0, 1, 2], [0.7710, 0.8240, 0.6060], [0.7450, 0.8505, 0.6395])
    gated = accuracy_verdict("mixed_bfloat16", c, 0.01, [])
    assert not gated.passed and gated.expected
    harness = accuracy_verdict("mixed_bfloat16", c, 0.01, [], harness_check=True)
    assert not harness.expected and harness.message.startswith(gated.message)
    assert "a harness-check profile: its fits are too small and too few to gate a drop of 0.01" in harness.message
    nan = accuracy_verdict("mixed_bfloat16", c, 0.01, ["mixed_bfloat16 seed 0: loss nan"], harness_check=True)
    assert not nan.passed and nan.expected


def test_accuracy_gate_fails_to_show_a_small_drop_from_scattered_seeds_and_asks_for_more():
    # the mean is within the tolerance, but one seed 14 points off makes the bound too wide to show it
    c = AccuracyComparison([0, 1, 2], [0.90, 0.91, 0.92], [0.90, 0.91, 0.78])
    v = accuracy_verdict("mixed_bfloat16", c, 0.05, [])
    assert not v.passed and "cannot show it" in v.message and "--mp-accuracy-seeds" in v.message
    assert math.isclose(c.median_delta, 0.0) and math.isclose(c.spread, 0.0808, abs_tol=1e-4)


def test_accuracy_gate_with_identical_deltas_decides_on_the_mean():
    same = AccuracyComparison([0, 1, 2], [0.9087] * 3, [0.9087] * 3)
    v = accuracy_verdict("mixed_float16", same, 0.0, [], data_source="synthetic-v1")
    assert v.passed  # no spread, no drop: the bound is 0
    assert "every pair agreed to the last test image" in v.message and "a planted loss of 2.2-2.4 points" in v.message
    mnist = accuracy_verdict("mixed_float16", same, 0.0, [], data_source="mnist").message
    assert "its power on this data is not measured" in mnist
    spread = AccuracyComparison([0, 1, 2], [0.90, 0.91, 0.92], [0.90, 0.911, 0.92])
    assert "agreed" not in accuracy_verdict("mixed_float16", spread, 0.01, []).message
    worse = AccuracyComparison([0, 1], [0.9087] * 2, [0.8987] * 2)
    assert not accuracy_verdict("mixed_float16", worse, 0.0099, []).passed


def test_accuracy_gate_needs_two_seeds_and_fails_on_nonfinite_loss_whatever_the_accuracy():
    c = AccuracyComparison([0], [0.9], [0.9])
    v = accuracy_verdict("mixed_float16", c, 0.5, ["mixed_float16 seed 0: losses [nan]"])
    assert not v.passed and "non-finite" in v.message and "nan" in v.message
    one = accuracy_verdict("mixed_float16", c, 0.5, [])
    assert not one.passed and "needs at least 2" in one.message


def test_seed_recipe_report_passes_any_spread_and_fails_only_on_nonfinite_loss():
    c = AccuracyComparison([0, 1], [0.908, 0.90], [0.78, 0.90], "seed")
    v = seed_recipe_report("mixed_bfloat16", c, [])
    assert v.passed and "median -0.0640, range [-0.1280, +0.0000]" in v.message and "reported, not gated" in v.message
    assert not seed_recipe_report("mixed_bfloat16", c, ["float32 seed 1: loss [nan]"]).passed


def test_a_crawling_policy_is_decided_on_its_probed_steps():
    row = Expectation("AMD x86 CPU with AVX512_BF16, no AMX", "mixed_bfloat16", 1.3, "oneDNN bf16 kernels")
    facts = "mixed_bfloat16's step takes 24 s per step here, 133x float32's 180 ms"
    failed = crawling_verdict("mixed_bfloat16", 0.0075, False, row, facts, "this device: flags avx512_bf16")
    assert not failed.passed and failed.expected
    assert failed.message == ("crawling: mixed_bfloat16 speedup over float32 0.0075x from the step probe's measured "
                              f"steps; its steps were not timed further: {facts}: under the expected minimum 1.3x (the "
                              "expectations table's prior for AMD x86 CPU with AVX512_BF16, no AMX, mixed_bfloat16, not "
                              "this run's measurement: oneDNN bf16 kernels); this device: flags avx512_bf16")
    none = Expectation("x86 CPU without bf16 instructions", "mixed_bfloat16", None, "bf16 in software")
    skipped = crawling_verdict("mixed_bfloat16", 0.0033, True, none, facts)
    assert skipped.passed and not skipped.expected and skipped.message.endswith("bf16 in software")
    assert "speedup over float32 at most 0.0033x" in skipped.message  # the mixed step was stopped: a bound
    assert skipped.reason == f"crawling: {facts}"  # the summary's footnote, shared with its other gates
    asked = Expectation("x", "mixed_bfloat16", 1.3, "set by --mp-min-speedup", source="--mp-min-speedup")
    assert "this device" not in crawling_verdict("mixed_bfloat16", 0.5, False, asked, facts, "this device: x").message


def test_a_table_minimum_names_the_device_and_how_to_record_its_own():
    estimate = Estimate(0.82, 0.80, 0.84, 15, 0.95)
    row = Expectation("AMD x86 CPU with AVX512_BF16, no AMX", "mixed_bfloat16", 1.3, "oneDNN bf16 kernels")
    note = "this device: AuthenticAMD CPU, flags avx512_bf16; record its own expectation with `mp_min_speedup = ...`"
    failed = speedup_verdict("mixed_bfloat16", estimate, row, None, note)
    assert not failed.passed and failed.message.endswith(note)  # the planted oneDNN loss still fails on a Zen 4
    passed = speedup_verdict("mixed_bfloat16", Estimate(1.8, 1.7, 1.9, 15, 0.95), row, None, note)
    assert passed.passed and note not in passed.message


MIB = 2**20


def test_memory_gate_passes_a_saving_fails_growth_and_skips_where_none_is_expected():
    from mpmodel.measure.expectations import NVIDIA_CC8, X86, MemoryExpectation

    gpu = MemoryExpectation(NVIDIA_CC8, 0.85, "half-size activations")
    f32 = [600 * MIB, 610 * MIB, 605 * MIB]
    saved = memory_verdict("mixed_bfloat16", [400 * MIB, 402 * MIB, 401 * MIB], f32, 0.65, gpu)
    assert saved.passed and saved.expected
    assert saved.message.startswith("mixed_bfloat16 step peak 401.0 MiB against float32's 605.0 MiB: ratio 0.66 "
                                    "(spread 0.66-0.67 over 3 and 3 steps; analytic 0.65) <= 0.85")
    grew = memory_verdict("mixed_bfloat16", [580 * MIB] * 3, f32, 0.65, gpu)
    assert not grew.passed and "above the expected 0.85 (the expectations table's prior for NVIDIA GPU" in grew.message
    cpu = MemoryExpectation(X86, None, "conversions add buffers")
    skipped = memory_verdict("mixed_bfloat16", [60 * MIB] * 3, [43 * MIB] * 3, 0.76, cpu)
    assert skipped.passed and not skipped.expected and "ratio 1.40" in skipped.message
    assert skipped.message.endswith("no saving expected: the expectations table's prior for x86 CPU without bf16 "
                                    "instructions, memory, not this run's measurement: conversions add buffers")


def test_chance_is_the_most_frequent_class_share_and_only_for_class_labels():
    from mpmodel.measure.gates import chance_accuracy
    assert chance_accuracy([0, 1, 1, 2, 1, 0, 3, 1]) == 0.5
    assert chance_accuracy(np.array([0.0, 1.0, 1.0, 2.0])) == 0.5  # integral floats are classes too
    assert chance_accuracy([0.3, 1.7]) is None  # a regression target
    assert chance_accuracy(np.zeros((4, 3))) is None  # one-hot or multi-label: no single class
    assert chance_accuracy([]) is None


def test_a_float32_fit_at_chance_or_with_a_flat_loss_has_not_learned():
    from mpmodel.measure.gates import not_learned
    # the user convnet: 0.1765, 0.1070, 0.1070 on ten classes (MNIST's most frequent: 0.1135)
    at_chance = not_learned([0.1765, 0.1070, 0.1070], [[2.30, 2.25]] * 3, 0.01, 0.1135)
    assert at_chance == ("float32's mean test accuracy 0.1302 over 3 seed(s) is under chance 0.1135 (the test set's "
                         "most frequent class) plus 5 x the tolerance 0.01, 0.1635")
    assert not_learned([0.9087] * 3, [[0.9, 0.3]] * 3, 0.01, 0.1135) is None
    assert "the workload's floor 0.9500" in not_learned([0.9087] * 3, [[0.9, 0.3]] * 3, 0.01, 0.1135, floor=0.95)
    assert not_learned([0.5], [[1.0, 0.2]], 0.01, None) is None  # no classes, no floor: nothing says what learning is
    flat = not_learned([0.9087] * 2, [[0.9, 0.3], [0.70, 0.695]], 0.01, 0.1135)
    assert flat == ("float32's training loss did not fall in 1 of 2 fit(s) (fit 1: 0.7 in its first epoch, 0.695 in "
                    "its last)")


def test_the_accuracy_gate_fails_where_float32_did_not_learn_and_records_it_at_a_harness_check():
    same = AccuracyComparison([0, 1, 2], [0.1765, 0.1070, 0.1070], [0.1765, 0.1070, 0.1070])
    why = "float32's mean test accuracy 0.1302 over 3 seed(s) is under ..."
    failed = accuracy_verdict("mixed_bfloat16", same, 0.01, [], float32_not_learned=why)
    assert not failed.passed and failed.expected  # agreement at chance is not accuracy kept
    assert failed.message.startswith("mixed_bfloat16: the float32 fit did not learn, so the paired fits' agreement "
                                     "shows nothing (seed 0: 0.1765 vs 0.1765")
    assert why in failed.message and "more epochs" in failed.message and "learning_rate" in failed.message
    recorded = accuracy_verdict("mixed_bfloat16", same, 0.01, [], harness_check=True, float32_not_learned=why)
    assert not recorded.expected and recorded.reason == "a harness-check profile: recorded, not gated"


def test_a_sequential_verdict_quotes_the_interval_that_decided_and_where_it_stopped():
    stop = Stop("sequential", 9, 15, 1, 3, 0.995, "cleared", 1.6, 1.75)
    v = speedup_verdict("mixed_bfloat16", Estimate(1.713, 1.603, 1.751, 9, 0.995), EXPECT, stop=stop)
    assert v.passed and v.expected
    assert "1.713x, 99.5% CI [1.603, 1.751] from 9 interleaved pairs (stopped at look 1 of 3, 9 of up to 15 pairs: " \
           "the interval cleared the floor, which no further pairs could change)" in v.message
    last = Stop("sequential", 3, 3, 2, 2, 0.96, "last look", -0.004, 0.002)
    c = AccuracyComparison([0, 1, 2], [0.94, 0.939, 0.941], [0.941, 0.938, 0.94])
    a = accuracy_verdict("mixed_bfloat16", c, 0.01, [], 0.96, stop=last)
    assert a.passed and "96% lower bound" in a.message and "at 96% confidence" in a.message
    assert "3 seeds: the sequential design's last look (2 of 2) decided it" in a.message
