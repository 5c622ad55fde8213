import itertools

import pytest

from mpmodel.measure.interleave import InterleavedTimer


def make_timer(log):
    ticks = itertools.count()
    return InterleavedTimer(lambda: log.append("A"), lambda: log.append("B"), clock=lambda: float(next(ticks)))


def test_pairs_alternate_and_are_timed():
    log = []
    timer = make_timer(log)
    timer.complete(4)
    assert log == ["A", "B"] * 4
    assert timer.baseline_times == [1.0] * 4 and timer.candidate_times == [1.0] * 4


def test_complete_adds_only_missing_pairs_and_last_drops_warmup():
    log = []
    timer = make_timer(log)
    timer.baseline_step()
    timer.candidate_step()
    timer.complete(3)
    assert log == ["A", "B"] * 3
    base, cand = timer.last(2)
    assert len(base) == len(cand) == 2


def test_candidate_before_baseline_is_refused():
    timer = make_timer([])
    with pytest.raises(RuntimeError, match="before its baseline"):
        timer.candidate_step()
