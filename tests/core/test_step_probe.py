"""The probe child's round: run only after short steps, and bounded. The child itself runs in
tests/plugin/test_crawling.py."""

import pytest

from mpmodel.core import step_probe


@pytest.mark.parametrize("step_s,steps", [
    (0.0012, 84),  # ROUND_TARGET_S over the step
    (0.049, 3),
    (step_probe.ROUND_UNDER_S, 0),  # long enough that a sync is a few percent: no round
    (1e-6, step_probe.ROUND_MAX_STEPS),
    (0.04, 3),
])
def test_a_round_follows_only_short_steps_and_is_bounded(step_s, steps):
    assert step_probe.round_steps(step_s) == steps
