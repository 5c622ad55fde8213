"""The suite's shared measurement: the step's speed of light, its matmuls timed alone once per compute
dtype, compile mode and float32 variant, in the same session and on the same backend as the steps."""

import pytest

from mpmodel.core.policies import BASELINE
from mpmodel.core.profiles import flops_per_step, step_matmuls
from mpmodel.core.speed_of_light import matmul_runner
from mpmodel.measure.ceilings import SpeedOfLight, measure_speed_of_light


@pytest.fixture(scope="session")
def speed_of_light(mp_run):
    """measure(policy, jit_compile, fp32) -> SpeedOfLight, timed on first use and kept for the session."""
    cache: dict[tuple, SpeedOfLight] = {}

    def measure(policy: str, jit_compile: bool, fp32: str) -> SpeedOfLight:
        key = (policy, jit_compile, fp32 if policy == BASELINE else None)  # TF32 matters to float32 alone
        if key not in cache:
            profile = mp_run.profile
            with mp_run.float32_matmuls(fp32):
                run = matmul_runner(step_matmuls(profile), policy, jit_compile)
                cache[key] = measure_speed_of_light(run, flops_per_step(profile))
        return cache[key]

    return measure
