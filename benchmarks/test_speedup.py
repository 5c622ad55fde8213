"""Speedup gate: float32 and a mixed policy timed interleaved in one session.

Pairs run A (float32) then B (mixed), again and again after warm-up; the speedup is the
median of per-pair ratios float32 / mixed with a 95% order-statistic CI. The gate fails
when the CI's lower bound is under the expected minimum; where no speedup is expected it
records the measurement and skips with the reason. pytest-benchmark times the mixed steps.
"""

import pytest

from mpmodel.core.model import build_model
from mpmodel.core.policies import BASELINE
from mpmodel.core.training import TrainingStep
from mpmodel.measure.gates import speedup_verdict
from mpmodel.measure.interleave import InterleavedTimer
from mpmodel.measure.stats import paired_ratio

WARMUP_PAIRS = 2


def test_speedup(benchmark, mp_run, profile_name, jit, fp32, mixed_policy):
    profile, data = mp_run.profile, mp_run.data
    with mp_run.float32_matmuls(fp32):  # the float32 variant: the framework's TF32 default, or strict
        baseline = TrainingStep(build_model(BASELINE, profile, jit=jit), data, profile.batch_size)
        candidate = TrainingStep(build_model(mixed_policy, profile, jit=jit), data, profile.batch_size)
        baseline.warm_up(profile.timing_warmup)
        candidate.warm_up(profile.timing_warmup)
        timer = InterleavedTimer(baseline, candidate)

        benchmark.pedantic(timer.candidate_step, setup=timer.baseline_step,
                           rounds=profile.timing_pairs, warmup_rounds=WARMUP_PAIRS, iterations=1)
        timer.complete(profile.timing_pairs)  # only needed under --benchmark-disable
        info = mp_run.result_info(jit, fp32, candidate.model)  # reads the TF32 state under the variant

    base_times, mixed_times = timer.last(profile.timing_pairs)
    speedup = paired_ratio(base_times, mixed_times)
    expectation = mp_run.expectation(mixed_policy, info["tf32"], info["jit_compile"])
    verdict = speedup_verdict(mixed_policy, speedup, expectation)
    benchmark.extra_info.update({
        "policy": mixed_policy, "batch_size": profile.batch_size, **info,
        "speedup": speedup.value, "speedup_ci_low": speedup.low, "speedup_ci_high": speedup.high,
        "min_speedup": expectation.min_speedup, "expectation_source": expectation.source,
        "pairs": speedup.n, "float32_times": base_times, "mixed_times": mixed_times,
    })
    mp_run.record(benchmark, verdict)
    if not verdict.expected:
        pytest.skip(verdict.message)
    assert verdict.passed, verdict.message
