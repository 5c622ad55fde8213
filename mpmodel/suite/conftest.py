"""The suite's shared measurement: the step's speed of light, its matmuls timed alone once per compute
dtype, compile mode and float32 variant, in the same session and on the same backend as the steps
(measured when the session starts, for its predicted cost, and kept in the run context). And one line,
not a traceback, for a bad setting or a Keras backend that is not installed, before a test module here imports
Keras."""

import pytest

from mpmodel.plugin import use_suite


def pytest_sessionstart(session):
    """The suite's folder named on the command line: its settings checked (a bad one stops the session in one
    line) and its backend too, before the suite's modules import Keras."""
    use_suite(session.config)


@pytest.fixture(scope="session")
def speed_of_light(mp_run):
    """measure(step key) -> SpeedOfLight, timed on first use and kept for the session."""
    return mp_run.speed_of_light
