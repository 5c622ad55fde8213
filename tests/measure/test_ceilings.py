"""Speed of light, efficiency and the speedup ceiling, and where a failed gate's speed went."""

import pytest

from mpmodel.core.device import DeviceInfo
from mpmodel.measure.ceilings import Ceiling, SpeedOfLight, efficiency, from_ceiling, measure_speed_of_light
from mpmodel.measure.expectations import NO_ROW, OTHER, Expectation, expectation_for
from mpmodel.measure.gates import speedup_verdict
from mpmodel.measure.stats import Estimate

FLOPS = 19_587_399_680


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_speed_of_light_is_the_median_time_per_step_of_rounds_chosen_by_time():
    clock, ks = Clock(), []

    def run(k):
        ks.append(k)
        clock.now += 0.04 * k

    sol = measure_speed_of_light(run, FLOPS, rounds=5, warmup_s=0.5, clock=clock)
    assert sol.seconds == pytest.approx(0.04) and sol.steps_per_round == 8  # 8 x 40 ms >= 0.2 s
    assert ks[-6:] == [8] * 6 and set(ks[:-6]) == {1}  # K's loop compiled by an untimed call, then 5 timed rounds
    assert sol.tflops == pytest.approx(FLOPS / 0.04 / 1e12)
    assert efficiency(sol, 0.05) == pytest.approx(0.8)


def test_matmuls_that_crawl_are_timed_twice_and_no_more():
    clock, ks = Clock(), []

    def run(k):
        ks.append(k)
        clock.now += 24.0 * k  # PyTorch bf16 on an AVX2 CPU at the small profile's shapes

    sol = measure_speed_of_light(run, FLOPS, clock=clock)
    assert ks == [1, 1] and sol.seconds == 24.0 and sol.steps_per_round == 1
    assert sol.tflops == pytest.approx(0.000816, rel=0.01)


def ceiling(f32_matmul, mixed_matmul, f32_step, mixed_step):
    return Ceiling(SpeedOfLight(f32_matmul, FLOPS, 4), SpeedOfLight(mixed_matmul, FLOPS, 8), f32_step, mixed_step)


EXPECT = Expectation("x86 CPU with AVX512_BF16 or AMX", "mixed_bfloat16", 1.3, "oneDNN bf16 kernels")


def test_a_failed_gate_blames_the_kernels_when_the_matmuls_alone_are_not_faster():
    c = ceiling(0.040, 0.042, 0.045, 0.047)  # TF_ENABLE_ONEDNN_OPTS=0: bf16 kernels no faster
    verdict = speedup_verdict("mixed_bfloat16", Estimate(0.95, 0.93, 0.97, 15, 0.95), EXPECT, c)
    assert not verdict.passed
    assert "the speed went into the kernels: the mixed kernels alone reach only 0.95x float32's" in verdict.message


def test_a_failed_gate_blames_the_step_when_the_kernels_are_fast():
    c = ceiling(0.040, 0.020, 0.045, 0.040)  # kernels 2x, but the mixed step spends its time elsewhere
    verdict = speedup_verdict("mixed_bfloat16", Estimate(1.12, 1.1, 1.15, 15, 0.95), EXPECT, c)
    assert "the step around the kernels: the kernels alone reach 2.00x" in verdict.message
    assert "efficiency float32 0.89, mixed 0.50" in verdict.message


def test_passing_and_skipped_gates_quote_the_ceiling():
    c = ceiling(0.040, 0.021, 0.045, 0.025)
    passed = speedup_verdict("mixed_bfloat16", Estimate(1.8, 1.7, 1.9, 15, 0.95), EXPECT, c)
    assert passed.passed and "the kernels alone reach 1.90x" in passed.message
    none = Expectation("x86 CPU without bf16 instructions", "mixed_bfloat16", None, "software bf16")
    skipped = speedup_verdict("mixed_bfloat16", Estimate(0.9, 0.8, 0.95, 15, 0.95), none, ceiling(0.04, 0.05, 0.045, 0.055))
    assert not skipped.expected and "the kernels alone reach 0.80x" in skipped.message


def test_where_the_table_is_silent_the_measured_ceiling_sets_the_minimum():
    silent = expectation_for(DeviceInfo(cpu_arch="aarch64"), "mixed_bfloat16")  # no row for an Arm CPU
    assert silent.source == NO_ROW and silent.device_class == OTHER
    fast = from_ceiling(silent, ceiling(0.040, 0.020, 0.045, 0.025).value)  # matmuls 2x
    assert fast.min_speedup == 1.5 and fast.source == "measured ceiling" and "reach 2.00x" in fast.reason
    slow = from_ceiling(silent, ceiling(0.040, 0.036, 0.045, 0.041).value)  # matmuls 1.11x
    assert slow.min_speedup is None and "reach only 1.11x" in slow.reason
    verdict = speedup_verdict("mixed_bfloat16", Estimate(1.2, 1.15, 1.25, 15, 0.95), fast,
                              ceiling(0.040, 0.020, 0.045, 0.025))
    assert not verdict.passed and "under the expected minimum 1.5x" in verdict.message


def test_a_table_row_is_kept_whatever_the_ceiling():
    assert from_ceiling(EXPECT, ceiling(0.040, 0.036, 0.045, 0.041).value) is EXPECT


def test_a_partial_ceiling_sets_no_floor_and_the_gate_says_not_gated_never_no_speedup_expected():
    silent = expectation_for(DeviceInfo(cpu_arch="aarch64"), "mixed_bfloat16")
    layers = ["conv2d (Conv2D)", "separable_conv2d (SeparableConv2D)"]
    # issue 34's user convnet: its Dense head alone allowed 1.03x while the step measured 1.404x [1.385, 1.439]
    partial = from_ceiling(silent, 1.03, layers)
    assert partial.min_speedup is None and partial.source == "partial ceiling"
    assert "the ceiling 1.03x is partial, its kernels leaving out conv2d (Conv2D), separable_conv2d" in partial.reason
    verdict = speedup_verdict("mixed_bfloat16", Estimate(1.404, 1.385, 1.439, 15, 0.95), partial)
    assert not verdict.expected and verdict.reason.startswith("not gated: the ceiling 1.03x is partial")
    assert "no speedup expected" not in verdict.message
    assert from_ceiling(silent, 2.0, layers).min_speedup is None  # even a high partial ceiling decides nothing
    assert from_ceiling(EXPECT, 1.03, layers) is EXPECT  # a table row still decides


def test_a_speed_of_light_that_failed_or_counted_nothing_gives_no_ceiling_and_no_nan():
    from mpmodel.measure.ceilings import no_light
    ran = SpeedOfLight(0.02, 10**9, 8)
    failed = SpeedOfLight(float("nan"), 10**9, 0, error="ValueError: in user code:")
    assert no_light([ran, ran]) is None
    assert no_light([ran, failed]) == "the speed of light failed: ValueError: in user code:"
    assert no_light([SpeedOfLight(0.001, 0, 8), ran]) == "the step has no counted kernels"  # keras.applications' "0 GFLOP"
    silent = expectation_for(DeviceInfo(cpu_arch="aarch64"), "mixed_bfloat16")
    none = from_ceiling(silent, None, missing="the step has no counted kernels")
    assert none.min_speedup is None and none.source == "partial ceiling"
    verdict = speedup_verdict("mixed_bfloat16", Estimate(1.2, 1.15, 1.25, 15, 0.95), none)
    assert "nan" not in verdict.message.lower() and "not gated: no ceiling to set a floor from" in verdict.message
