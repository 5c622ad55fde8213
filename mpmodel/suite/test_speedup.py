"""Speedup gate: float32 and a mixed policy timed interleaved in one session.

Pairs of rounds run A (float32) then B (mixed), again and again after warm-up, each round K steps
with one host sync (K the same for both, chosen so the faster policy's round lasts 0.2 s); the speedup is the
median of per-pair ratios float32 / mixed with a 95% order-statistic CI. The gate fails
when the CI's lower bound is under the expected minimum; where no speedup is expected it
records the measurement and skips with the reason. Under the sequential design (--mp-design, the default) it
looks at its interval after the first pairs and stops once the verdict cannot change (measure.sequential).
pytest-benchmark times the mixed rounds (K steps each).
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
from mpmodel.measure.looks import speedup_design
from mpmodel.measure.probe import speedup as probed_speedup
from mpmodel.measure.results import SpeedupResult
from mpmodel.measure.rounds import SPEEDUP_WARMUP_PAIRS, steps_per_round, warm_up
from mpmodel.measure.sequential import run as run_design
from mpmodel.measure.stats import paired_ratio
from mpmodel.plugin.benchmark_session import add_round


def gate_floor(mp_run, key, tf32, jit, light):
    """(why there is no ceiling or '', the gate's expectation): the table's row, else a floor set by the measured
    ceiling (float32's speed of light over the mixed one's); a speed of light that failed or counted nothing gives
    no ceiling (never a NaN), and a partial one sets no floor."""
    missing = no_light(light)
    return missing, from_ceiling(mp_run.expectation(key.policy, tf32, jit),
                                 None if missing else light[0].seconds / light[1].seconds,
                                 uncounted_kernels(mp_run.profile.workload, mp_run.profile.size), missing or "")


def test_speedup(benchmark, mp_run, speed_of_light, jit, fp32, mixed_policy):
    profile, data = mp_run.profile, mp_run.data
    key = mp_run.key(mixed_policy, jit, fp32)
    mp_run.stop_if_not_running(benchmark, key)
    if mp_run.crawls(key):  # decided on the probe's measured steps
        with mp_run.float32_matmuls(fp32):
            tf32 = mp_run.tf32()
        _, expectation = gate_floor(mp_run, key, tf32, jit, [speed_of_light(k) for k in (key.float32, key)])
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

        design = speedup_design(mp_run.settings.design, mp_run.timing_pairs)
        benchmark.pedantic(timer.candidate_step, setup=timer.baseline_step,
                           rounds=design.first, warmup_rounds=SPEEDUP_WARMUP_PAIRS, iterations=1)
        warmed = SPEEDUP_WARMUP_PAIRS if benchmark.enabled else 0  # under --benchmark-disable one pair ran, no warm-up

        def measure(pairs):  # the later looks' pairs, each mixed round also timed for pytest-benchmark
            timer.complete(warmed + pairs, lambda seconds: add_round(benchmark, seconds))

        def interval(pairs, confidence):
            ratio = paired_ratio(*timer.last(pairs), confidence=confidence)  # K cancels in the ratio
            return (ratio.low, ratio.high) if np.isfinite([ratio.low, ratio.high]).all() else None

        info = mp_run.result_info(key, candidate.model)  # reads the TF32 state under the variant
        light = [speed_of_light(k) for k in (key.float32, key)]
        missing, expectation = gate_floor(mp_run, key, info["tf32"], ran_jit(candidate.model), light)
        stop = run_design(design, measure, interval, expectation.min_speedup)

    base_rounds, mixed_rounds = timer.last(stop.count)
    base_times, mixed_times = [t / k for t in base_rounds], [t / k for t in mixed_rounds]
    speedup = paired_ratio(base_times, mixed_times)  # the saved 95% CI, whatever the look's confidence
    decided = paired_ratio(base_times, mixed_times, confidence=stop.confidence) if stop.decided else speedup
    ceiling = None if missing else Ceiling(*light, float(np.median(base_times)), float(np.median(mixed_times)))
    verdict = speedup_verdict(mixed_policy, decided, expectation, ceiling, mp_run.own_expectation(mixed_policy), stop)
    light_fields = ((ceiling.value, ceiling.float32.tflops, ceiling.mixed.tflops, ceiling.float32_efficiency,
                     ceiling.mixed_efficiency) if ceiling else (None,) * 5)
    benchmark.extra_info.update({**info, **SpeedupResult(
        profile.batch_size, speedup.value, speedup.low, speedup.high, expectation.min_speedup, expectation.source,
        speedup.n, base_times, mixed_times, candidate.harness, k, *light_fields).fields(), **stop.fields()})
    mp_run.conclude(benchmark, verdict)
