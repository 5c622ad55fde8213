"""The sequential design: its looks, its stopping rule, its record, and its error rates held on simulated gates."""

import numpy as np
import pytest

from mpmodel.measure import sequential
from mpmodel.measure.looks import ACCURACY_CONFIDENCE, SPEEDUP_CONFIDENCE, accuracy_design, speedup_design
from mpmodel.measure.sequential import Design, Look, Stop, outcome, percent, plan, run
from mpmodel.measure.stats import mean_lower_bound, median_ci_error, order_statistic_ranks, paired_ratio


def counts(design):
    return [look.count for look in design.looks]


def test_the_speedup_gate_looks_twice_before_its_last_pair():
    design = speedup_design("sequential", 15)
    assert counts(design) == [9, 12, 15] and counts(speedup_design("sequential", 20)) == [9, 14, 20]
    assert [look.confidence for look in design.looks] == pytest.approx([0.995, 0.995, 0.9544], abs=1e-4)
    # the interim looks' whole ranks spend less than their 0.5%, so the last look's interval is the fixed design's
    assert order_statistic_ranks(15, design.looks[-1].confidence) == order_statistic_ranks(15, SPEEDUP_CONFIDENCE)
    assert order_statistic_ranks(20, speedup_design("sequential", 20).looks[-1].confidence) == \
        order_statistic_ranks(20, SPEEDUP_CONFIDENCE)


def test_the_accuracy_gate_looks_after_two_seeds():
    assert counts(accuracy_design("sequential", 3)) == [2, 3]
    assert [look.confidence for look in accuracy_design("sequential", 3).looks] == pytest.approx([0.99, 0.96])
    assert counts(accuracy_design("sequential", 5)) == [2, 3, 5]


@pytest.mark.parametrize("pairs", [12, 15, 20, 40])
def test_the_speedup_looks_really_spend_no_more_error_than_the_fixed_design(pairs):
    design = speedup_design("sequential", pairs)
    spent = sum(median_ci_error(look.count, look.confidence) for look in design.looks)
    assert spent <= 1 - SPEEDUP_CONFIDENCE  # Bonferroni: the union bound over what each look's interval really spends
    assert counts(design) == sorted(set(counts(design)))  # each look at a count of its own, the last at the maximum


@pytest.mark.parametrize("seeds", [3, 5, 8])
def test_the_accuracy_looks_spend_the_fixed_design_s_error(seeds):
    design = accuracy_design("sequential", seeds)
    assert sum(1 - look.confidence for look in design.looks) == pytest.approx(1 - ACCURACY_CONFIDENCE)
    assert counts(design) == sorted(set(counts(design)))


def test_where_no_interim_look_fits_the_design_is_the_fixed_one():
    assert accuracy_design("sequential", 2) == Design("fixed", (Look(2, ACCURACY_CONFIDENCE),))
    assert speedup_design("sequential", 8) == Design("fixed", (Look(8, SPEEDUP_CONFIDENCE),))
    assert counts(speedup_design("sequential", 9)) == [8, 9]  # one interim look, at 99%
    assert speedup_design("fixed", 15) == Design("fixed", (Look(15, SPEEDUP_CONFIDENCE),))
    with pytest.raises(ValueError, match="'greedy' is not a design"):
        plan("greedy", 15, 0.95, lambda c: 2)


def test_an_interval_decides_only_wholly_on_one_side():
    assert outcome(1.3, 1.5, 1.3) == "pass" and outcome(1.0, 1.29, 1.3) == "fail" and outcome(1.2, 1.4, 1.3) is None


def stepper(intervals):
    """A run's measure and interval callbacks over made-up intervals, one per look, logging the counts asked."""
    asked = []

    def measure(count):
        asked.append(count)

    def interval(count, confidence):
        return intervals[len(asked) - 1]
    return asked, measure, interval


def test_a_run_stops_at_the_first_look_that_decides():
    design = speedup_design("sequential", 15)
    asked, measure, interval = stepper([(1.5, 1.9)])
    stop = run(design, measure, interval, 1.3)
    assert asked == [9] and (stop.count, stop.look, stop.why, stop.low) == (9, 1, "cleared", 1.5)
    asked, measure, interval = stepper([(1.2, 1.4), (0.9, 1.1)])
    assert run(design, measure, interval, 1.3).why == "below" and asked == [9, 12]
    asked, measure, interval = stepper([(1.2, 1.4), (1.25, 1.35), (1.28, 1.33)])
    stop = run(design, measure, interval, 1.3)
    assert asked == [9, 12, 15] and (stop.why, stop.confidence) == ("last look", design.looks[-1].confidence)


def test_nothing_to_decide_or_a_non_finite_value_ends_it_at_once():
    design = speedup_design("sequential", 15)
    nothing = run(design, *stepper([(1.5, 1.9)])[1:], None)
    assert (nothing.why, nothing.decided) == ("no threshold", False)
    stop = run(design, *stepper([None])[1:], 1.3)
    assert (stop.why, stop.count, stop.low) == ("not finite", 9, None)


def test_a_stop_says_what_decided_it_and_is_saved_whole():
    stop = Stop("sequential", 9, 15, 1, 3, 0.995, "cleared", 1.5, 1.9)
    assert stop.describe("pairs", "the floor") == (
        "stopped at look 1 of 3, 9 of up to 15 pairs: the interval cleared the floor, which no further pairs could change")
    assert Stop("fixed", 15, 15, 1, 1, 0.95, "last look").describe("pairs", "the floor") == \
        "15 pairs, the fixed design's one look"
    assert Stop("sequential", 3, 3, 2, 2, 0.96, "last look").describe("seeds", "the tolerance") == \
        "3 seeds: the sequential design's last look (2 of 2) decided it"
    assert stop.fields() == {"design": "sequential", "decided_by": 9, "planned": 15, "look": 1, "looks": 3,
                             "look_confidence": 0.995, "stopped_because": "cleared", "look_low": 1.5, "look_high": 1.9}
    assert [percent(c) for c in (0.95, 0.995, 0.96, 0.99667)] == ["95%", "99.5%", "96%", "99.67%"]
    assert sequential.DESIGNS == ("sequential", "fixed")


def speedup_gate(ratios, design, floor):
    """A simulated speedup gate over one series of per-pair ratios (float32 time over mixed, numerator first)."""
    def interval(count, confidence):
        e = paired_ratio(ratios[:count], np.ones(count), confidence)
        return e.low, e.high
    return run(design, lambda count: None, interval, floor)


def accuracy_gate(deltas, design, threshold):
    """A simulated accuracy gate over one series of paired deltas; `threshold` is -tolerance."""
    def interval(count, confidence):
        b = mean_lower_bound(deltas[:count], confidence)
        return b.low, b.high
    return run(design, lambda count: None, interval, threshold)


def rates(gate, samples, design, threshold):
    stops = [gate(sample, design, threshold) for sample in samples]
    passed = [s.low is not None and s.low >= threshold for s in stops]
    return float(np.mean(passed)), float(np.mean([s.count for s in stops]))


def test_the_speedup_gate_passes_a_policy_at_its_floor_no_more_often_than_the_fixed_design_may():
    rng = np.random.default_rng(0)
    at_floor = 1.3 * np.exp(rng.normal(0, 0.02, (4000, 15)))  # the true median ratio exactly at the floor
    sequential_rate, _ = rates(speedup_gate, at_floor, speedup_design("sequential", 15), 1.3)
    fixed_rate, _ = rates(speedup_gate, at_floor, speedup_design("fixed", 15), 1.3)
    assert sequential_rate <= 0.025 + 0.008 and fixed_rate <= 0.025 + 0.008  # 2.5% plus 3 standard errors
    clear = 1.5 * np.exp(rng.normal(0, 0.02, (500, 15)))
    power, pairs = rates(speedup_gate, clear, speedup_design("sequential", 15), 1.3)
    assert power == 1.0 and pairs == 9  # a clear answer stops at the first look


def test_the_accuracy_gate_passes_a_drop_at_its_tolerance_no_more_often_than_its_level():
    rng = np.random.default_rng(1)
    at_tolerance = rng.normal(-0.01, 0.004, (4000, 5))
    sequential_rate, _ = rates(accuracy_gate, at_tolerance, accuracy_design("sequential", 5), -0.01)
    fixed_rate, _ = rates(accuracy_gate, at_tolerance, accuracy_design("fixed", 5), -0.01)
    assert sequential_rate <= 0.05 + 0.011 and fixed_rate <= 0.05 + 0.011
    kept = rng.normal(0.0, 0.001, (1000, 5))
    sequential_power, seeds = rates(accuracy_gate, kept, accuracy_design("sequential", 5), -0.01)
    fixed_power, _ = rates(accuracy_gate, kept, accuracy_design("fixed", 5), -0.01)
    assert sequential_power >= fixed_power - 0.02 and seeds < 5  # the same passes, from fewer seeds
