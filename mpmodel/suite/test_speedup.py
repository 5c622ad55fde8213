"""Speedup gate: float32 and a mixed policy timed interleaved in one session.

Pairs of rounds run A (float32) then B (mixed), again and again after warm-up, each round K steps
with one host sync (K the same for both, chosen so the faster policy's round lasts 0.2 s); the speedup is the
median of per-pair ratios float32 / mixed with a 95% order-statistic CI. The gate fails
when the CI's lower bound is under the expected minimum; where no speedup is expected it
records the measurement and skips with the reason. pytest-benchmark times the mixed rounds (K steps each).
A mixed policy whose probed step takes more than ten times float32's (crawling, mpmodel.measure.probe) is
decided on the probe's measured steps (skipped where no speedup is expected, failed where one is) unless
--mp-slow-policies asks to time it.
"""

import numpy as np

from mpmodel.core.model import build_model
from mpmodel.core.policies import BASELINE, ran_jit
from mpmodel.core.training import TrainingStep
from mpmodel.core.workload import uncounted_kernels
from mpmodel.measure.ceilings import Ceiling, from_ceiling, no_light
from mpmodel.measure.gates import crawling_verdict, speedup_verdict
from mpmodel.measure.interleave import InterleavedTimer
from mpmodel.measure.probe import speedup as probed_speedup
from mpmodel.measure.results import SpeedupResult
from mpmodel.measure.rounds import SPEEDUP_WARMUP_PAIRS, steps_per_round, warm_up
from mpmodel.measure.stats import paired_ratio


def test_speedup(benchmark, mp_run, speed_of_light, jit, fp32, mixed_policy):
    profile, data = mp_run.profile, mp_run.data
    key = mp_run.key(mixed_policy, jit, fp32)
    mp_run.stop_if_not_running(benchmark, key)
    if mp_run.crawls(key):  # decided on the probe's measured steps
        with mp_run.float32_matmuls(fp32):
            tf32 = mp_run.tf32()
        light = [speed_of_light(k) for k in (key.float32, key)]
        missing = no_light(light)
        expectation = from_ceiling(mp_run.expectation(mixed_policy, tf32, jit),
                                   None if missing else light[0].seconds / light[1].seconds,
                                   uncounted_kernels(profile.workload, profile.size), missing or "")
        ratio, upper_bound = probed_speedup(mp_run.probed(key), mp_run.probed(key.float32))
        verdict = crawling_verdict(mixed_policy, ratio, upper_bound, expectation, mp_run.crawl_evidence(key),
                                   mp_run.own_expectation(mixed_policy))
        mp_run.conclude(benchmark, verdict)  # in the gate summary and the run's crawling list; nothing else is saved
        return
    with mp_run.float32_matmuls(fp32):  # the float32 variant: the framework's TF32 default, or strict
        baseline = TrainingStep(build_model(BASELINE, profile, jit=jit), data, profile.batch_size)
        candidate = TrainingStep(build_model(mixed_policy, profile, jit=jit), data, profile.batch_size)
        warm = [warm_up(baseline.run, profile.timing_warmup), warm_up(candidate.run, profile.timing_warmup)]
        k = steps_per_round(min(w.step_s for w in warm))  # one K for both: round times compare as step times
        timer = InterleavedTimer(lambda: baseline.run(k), lambda: candidate.run(k))

        benchmark.pedantic(timer.candidate_step, setup=timer.baseline_step,
                           rounds=profile.timing_pairs, warmup_rounds=SPEEDUP_WARMUP_PAIRS, iterations=1)
        timer.complete(profile.timing_pairs)  # only needed under --benchmark-disable
        info = mp_run.result_info(key, candidate.model)  # reads the TF32 state under the variant
        light = [speed_of_light(k) for k in (key.float32, key)]

    base_rounds, mixed_rounds = timer.last(profile.timing_pairs)
    base_times, mixed_times = [t / k for t in base_rounds], [t / k for t in mixed_rounds]
    speedup = paired_ratio(base_times, mixed_times)
    missing = no_light(light)  # a speed of light that failed or counted nothing gives no ceiling (never a NaN)
    ceiling = None if missing else Ceiling(*light, float(np.median(base_times)), float(np.median(mixed_times)))
    expectation = from_ceiling(mp_run.expectation(mixed_policy, info["tf32"], ran_jit(candidate.model)),
                               ceiling.value if ceiling else None, uncounted_kernels(profile.workload, profile.size),
                               missing or "")
    verdict = speedup_verdict(mixed_policy, speedup, expectation, ceiling, mp_run.own_expectation(mixed_policy))
    light_fields = ((ceiling.value, ceiling.float32.tflops, ceiling.mixed.tflops, ceiling.float32_efficiency,
                     ceiling.mixed_efficiency) if ceiling else (None,) * 5)
    benchmark.extra_info.update({**info, **SpeedupResult(
        profile.batch_size, speedup.value, speedup.low, speedup.high, expectation.min_speedup, expectation.source,
        speedup.n, base_times, mixed_times, candidate.harness, k, *light_fields).fields()})
    mp_run.conclude(benchmark, verdict)
