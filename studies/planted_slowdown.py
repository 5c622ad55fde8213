"""A pytest plugin for the noise study: slows every mixed-precision training step by a set fraction.

Loaded only on purpose (`-p planted_slowdown` with studies/ on PYTHONPATH), never by the suite.
MPMODEL_PLANTED_SLOWDOWN=0.15 makes each mixed_float16 / mixed_bfloat16 `TrainingStep` call and round
(`run(k)`) take 15% longer than it did, by spinning on the clock after the step (a core stays busy, as real
extra work would keep it). float32 steps are untouched, so the float32 series are an A/A control.
"""

from __future__ import annotations

import os
import time

from mpmodel.core.policies import BASELINE
from mpmodel.core.training import TrainingStep

FRACTION = float(os.environ.get("MPMODEL_PLANTED_SLOWDOWN", "0"))
_original_call, _original_run = TrainingStep.__call__, TrainingStep.run


def _spin(self, start: float) -> None:
    if self.model.dtype_policy.name != BASELINE:
        until = time.perf_counter() + FRACTION * (time.perf_counter() - start)
        while time.perf_counter() < until:
            pass


def _slowed_call(self) -> float:
    start = time.perf_counter()
    loss = _original_call(self)
    _spin(self, start)
    return loss


def _slowed_run(self, steps: int) -> float:
    start = time.perf_counter()
    loss = _original_run(self, steps)
    _spin(self, start)
    return loss


def pytest_configure(config):
    if FRACTION > 0:
        TrainingStep.__call__, TrainingStep.run = _slowed_call, _slowed_run


def pytest_report_header(config):
    return f"noise study: mixed-precision steps slowed by {FRACTION:.0%} (planted)"
