"""Rounds of K steps: K and the warm-up chosen by time, and rounds timed by pytest-benchmark per step."""

import pytest

from mpmodel.measure.rounds import PerStep, median_call_s, steps_per_round, warm_up


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("step_s,k", [(0.05, 4), (0.048, 8), (0.2, 1), (1.5, 1), (0.002, 128), (1e-7, 1024)])
def test_a_round_lasts_at_least_the_target_in_a_power_of_two_of_steps(step_s, k):
    assert steps_per_round(step_s) == k
    assert k == 1024 or k * step_s >= 0.2


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_a_step_time_that_is_no_time_is_refused(bad):
    with pytest.raises(ValueError, match="expected a positive number"):
        steps_per_round(bad)


def test_warm_up_runs_until_both_the_rounds_and_the_seconds_are_reached():
    clock, calls = FakeClock(), []

    def run(k):
        calls.append(k)
        clock.now += 0.5 if len(calls) <= 2 else 0.1  # tracing first, then steady

    warm = warm_up(run, min_rounds=3, min_seconds=2.0, clock=clock)
    assert set(calls) == {1} and warm.rounds == len(calls) == 12  # 2 x 0.5 s + 10 x 0.1 s = 2 s
    assert warm.seconds == pytest.approx(2.0) and warm.step_s == pytest.approx(0.1)  # the steady steps

    slow = FakeClock()
    assert warm_up(lambda k: setattr(slow, "now", slow.now + 3.0), min_rounds=3, clock=slow).rounds == 3


def test_per_step_runs_one_round_per_k_calls():
    rounds = []
    target = PerStep(rounds.append, 4)
    for _ in range(12):  # pytest-benchmark's loop: 3 rounds of iterations=4
        target()
    assert rounds == [4, 4, 4]


def test_median_call_time():
    clock = FakeClock()
    durations = iter([0.3, 0.1, 0.2])
    assert median_call_s(lambda: setattr(clock, "now", clock.now + next(durations)), 3, clock=clock) == pytest.approx(0.2)


def test_slow_calls_stop_at_the_budget_after_the_least_and_fast_ones_run_all():
    clock, calls = FakeClock(), []

    def slow():
        calls.append(1)
        clock.now += 24.0  # a bf16 step on a CPU without bf16 instructions

    assert median_call_s(slow, 7, clock=clock) == pytest.approx(24.0) and len(calls) == 3
    fast, n = FakeClock(), []
    median_call_s(lambda: (n.append(1), setattr(fast, "now", fast.now + 0.05)), 7, clock=fast)
    assert len(n) == 7
