"""Each gate's looks under a design (measure.sequential): the speedup gate over interleaved pairs, the accuracy
gate over paired seeds, at the confidence each gate states."""

from __future__ import annotations

from mpmodel.measure.sequential import Design, plan
from mpmodel.measure.stats import median_ci_error, min_sample_size

SPEEDUP_CONFIDENCE = 0.95  # the speedup gate's two-sided interval: at most 2.5% false passes below the floor
ACCURACY_CONFIDENCE = 0.95  # the accuracy gate's one-sided bound: at most 5% false passes where more is lost


def speedup_design(name: str, pairs: int) -> Design:
    """The speedup gate's looks up to `pairs` interleaved pairs; an order-statistic interval needs a few."""
    return plan(name, pairs, SPEEDUP_CONFIDENCE, min_sample_size, median_ci_error)


def accuracy_design(name: str, seeds: int) -> Design:
    """The accuracy gate's looks up to `seeds` paired seeds; a bound on the mean needs two."""
    return plan(name, seeds, ACCURACY_CONFIDENCE, lambda confidence: 2)
