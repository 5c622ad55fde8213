"""Step time: full-size training steps under each policy, free of per-call host overhead.

The model is built, traced and warmed up (at least the profile's warm-up rounds and 2 s) before
timing. Each timed round runs K steps back to back through the backend's own multi-step
execution with one host sync at its end; K makes a round last at least 0.2 s, and
pytest-benchmark reports round time / K. Single `train_on_batch` calls are timed too, and
their extra cost per call is reported as the host overhead. The step's matmuls timed alone (the
speed of light, benchmarks/conftest.py) give the TFLOP/s this device's kernels reach in the policy's
dtype and the step's efficiency. A mixed policy whose matmuls here reach under a tenth of float32's is
not timed unless --mp-slow-policies asks (its skip says why and what timing it would cost).
"""


from mpmodel.core.model import build_model, uses_loss_scaling
from mpmodel.core.profiles import flops_per_step
from mpmodel.core.training import TrainingStep
from mpmodel.measure.ceilings import efficiency
from mpmodel.measure.results import StepTimeResult, StepTimeStats
from mpmodel.measure.rounds import PerStep, median_call_s, steps_per_round, warm_up


def test_step_time(benchmark, mp_run, speed_of_light, jit, fp32, policy):
    profile = mp_run.profile
    key = mp_run.key(policy, jit, fp32)
    mp_run.stop_if_not_running(benchmark, key)
    mp_run.skip_if_crawling(benchmark, "test_step_time", key)
    with mp_run.float32_matmuls(fp32):
        step = TrainingStep(build_model(policy, profile, jit=jit), mp_run.data, profile.batch_size)
        warm = warm_up(step.run, profile.timing_warmup)
        k = steps_per_round(warm.step_s)
        benchmark.pedantic(PerStep(step.run, k), rounds=profile.timing_rounds, iterations=k)
        single_call_s = median_call_s(step)  # train_on_batch: host overhead and a sync per call
        sol = speed_of_light(key)
        info = mp_run.result_info(key, step.model)
        timed = StepTimeResult(profile.batch_size, uses_loss_scaling(step.model), step.harness, k, warm.rounds,
                               warm.seconds, single_call_s, flops_per_step(profile), sol.seconds, sol.tflops)

    info.update(timed.fields())
    if benchmark.stats is not None:  # None under --benchmark-disable
        median = benchmark.stats.stats.median
        info.update(StepTimeStats.of(median, timed, efficiency(sol, median)).fields())
    benchmark.extra_info.update(info)
