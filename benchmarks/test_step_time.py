"""Step time: one full-size training step per round, under each policy.

The model is built, traced and warmed up before timing; each round is one
`train_on_batch` on a batch already on the device, and returns host values.
"""

from mpmodel.core.model import build_model, uses_loss_scaling
from mpmodel.core.profiles import flops_per_step
from mpmodel.core.training import TrainingStep


def test_step_time(benchmark, mp_run, profile_name, jit, fp32, policy):
    profile = mp_run.profile
    with mp_run.float32_matmuls(fp32):
        step = TrainingStep(build_model(policy, profile, jit=jit), mp_run.data, profile.batch_size)
        step.warm_up(profile.timing_warmup)
        benchmark.pedantic(step, rounds=profile.timing_rounds, iterations=1)
        info = {"policy": policy, "batch_size": profile.batch_size, "units": profile.units,
                "loss_scaling": uses_loss_scaling(step.model), **mp_run.result_info(jit, fp32, step.model)}

    if benchmark.stats is not None:  # None under --benchmark-disable
        median = benchmark.stats.stats.median
        info["step_median_s"] = median
        info["samples_per_s"] = profile.batch_size / median
        info["flops_per_step"] = flops_per_step(profile)
        info["tflops"] = info["flops_per_step"] / median / 1e12
    benchmark.extra_info.update(info)
