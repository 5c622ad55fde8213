"""The suite's shared measurement: the step's speed of light, its matmuls timed alone once per compute
dtype, compile mode and float32 variant, in the same session and on the same backend as the steps
(measured when the session starts, for its predicted cost, and kept in the run context). And one line,
not a traceback, where the Keras backend is not installed, before a test module here imports Keras."""

import pytest

from mpmodel.plugin.backend_check import check_backend_installed


def pytest_sessionstart(session):
    """Stop with one line before the suite's modules import Keras, where its backend is not installed."""
    check_backend_installed()


@pytest.fixture(scope="session")
def speed_of_light(mp_run):
    """measure(policy, jit_compile, fp32) -> SpeedOfLight, timed on first use and kept for the session."""
    return mp_run.speed_of_light
