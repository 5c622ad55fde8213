import math

from mpmodel.measure.expectations import X86_BF16, Expectation
from mpmodel.measure.gates import (
    AccuracyComparison,
    accuracy_verdict,
    matmuls_only_verdict,
    memory_verdict,
    speedup_verdict,
)
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


def test_accuracy_median_delta_against_tolerance():
    c = AccuracyComparison([0, 1, 2], [0.90, 0.91, 0.92], [0.89, 0.95, 0.70])
    assert math.isclose(c.median_delta, -0.01)
    assert accuracy_verdict("mixed_bfloat16", c, 0.03, []).passed
    v = accuracy_verdict("mixed_bfloat16", c, 0.005, [])
    assert not v.passed and "-0.0100" in v.message and "0.005" in v.message and "seed 2: 0.7000 vs 0.9200" in v.message


def test_accuracy_fails_on_nonfinite_loss_whatever_the_accuracy():
    c = AccuracyComparison([0], [0.9], [0.9])
    v = accuracy_verdict("mixed_float16", c, 0.5, ["mixed_float16 seed 0: losses [nan]"])
    assert not v.passed and "non-finite" in v.message and "nan" in v.message


def test_a_crawling_policy_is_decided_on_its_matmuls_alone():
    row = Expectation("x86 CPU with AVX512_BF16 or AMX", "mixed_bfloat16", 1.3, "oneDNN bf16 kernels")
    failed = matmuls_only_verdict("mixed_bfloat16", 0.0067, row, "timing would take 18 min")
    assert not failed.passed and failed.expected
    assert failed.message == ("mixed_bfloat16's matmuls alone reach 0.0067x float32's; its steps were not timed: timing "
                              "would take 18 min: under the expected minimum 1.3x for x86 CPU with AVX512_BF16 or AMX "
                              "(expectations table: oneDNN bf16 kernels); the speed went into the kernels")
    none = Expectation("x86 CPU without bf16 instructions", "mixed_bfloat16", None, "bf16 in software")
    skipped = matmuls_only_verdict("mixed_bfloat16", 0.0067, none, "timing would take 18 min")
    assert skipped.passed and not skipped.expected and skipped.message.endswith("bf16 in software")
    unchecked = matmuls_only_verdict("mixed_bfloat16", 2.0, row, "asked not to")
    assert not unchecked.passed and "--mp-slow-policies" in unchecked.message


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
    assert not grew.passed and "above the expected 0.85 for NVIDIA GPU" in grew.message
    cpu = MemoryExpectation(X86, None, "conversions add buffers")
    skipped = memory_verdict("mixed_bfloat16", [60 * MIB] * 3, [43 * MIB] * 3, 0.76, cpu)
    assert skipped.passed and not skipped.expected and "ratio 1.40" in skipped.message
    assert skipped.message.endswith("no saving expected on x86 CPU without bf16 instructions: conversions add buffers")
