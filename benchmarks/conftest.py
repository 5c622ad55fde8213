"""The suite's shared measurement: the step's speed of light, its matmuls timed alone once per compute
dtype, compile mode and float32 variant, in the same session and on the same backend as the steps
(measured when the session starts, for its predicted cost, and kept in the run context)."""

import pytest


@pytest.fixture(scope="session")
def speed_of_light(mp_run):
    """measure(policy, jit_compile, fp32) -> SpeedOfLight, timed on first use and kept for the session."""
    return mp_run.speed_of_light
