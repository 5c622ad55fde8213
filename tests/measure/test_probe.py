import pytest

from mpmodel.measure import probe
from mpmodel.measure.probe import ProbedStep


def test_a_finished_probe_reports_the_median_of_its_later_steps():
    p = ProbedStep("float32", 1.0, (0.09, 0.07, 0.08))
    assert p.step_s == pytest.approx(0.08) and not p.stopped
    assert p.describe() == "80 ms per step (median of 3; the first, compile included, 1 s)"
    assert p.short() == "80 ms per step"


def test_short_steps_are_planned_from_a_round_back_to_back_and_judged_on_steps_alone():
    # the tiny profile on a 2-core Zen 4 EPYC (TensorFlow): 1.25 ms a step alone, 0.29-0.41 ms in rounds
    p = ProbedStep("float32", 0.6, (0.0012, 0.00125, 0.0013), round_steps=80, round_s=0.028)
    assert p.step_s == pytest.approx(0.00125) and p.loop_step_s == pytest.approx(0.00035)
    assert p.describe().endswith("the first, compile included, 600 ms; 0.35 ms a step in a round of 80)")
    assert ProbedStep("float32", 1.0, (0.09,)).loop_step_s == pytest.approx(0.09)  # no round: the steps' own
    assert ProbedStep("m", None, (0.001,), stopped_after_s=2.0, round_steps=5, round_s=0.005).loop_step_s == 2.0


def test_a_stopped_step_is_a_lower_bound_at_its_limit():
    first = ProbedStep("mixed_float16", None, stopped_after_s=10.0)
    assert first.step_s == 10.0 and first.stopped
    assert first.describe() == "over 10 s per step (its first step was stopped at 10 s)"
    later = ProbedStep("mixed_float16", 1.2, (3.0,), stopped_after_s=2.5)
    assert later.step_s == 3.0 and later.short() == "over 3 s per step (stopped)"


def test_a_failed_probe_has_no_step_time_and_never_crawls():
    failed = ProbedStep("mixed_bfloat16", None, error="the probe child exited -9: Killed")
    assert failed.step_s is None and "the probe failed" in failed.describe()
    assert not probe.crawls(failed, ProbedStep("float32", 1.0, (0.1,)))


BASE = ProbedStep("float32", 1.0, (0.1, 0.1, 0.1))  # TensorFlow small on an Intel Xeon: 0.1 s


@pytest.mark.parametrize("step,crawling", [
    (0.165, False),  # bf16 on a Xeon without AMX: 1.65x float32, slow but honest
    (1.0, False),  # exactly the factor: not over it
    (1.01, True),
    (68.0, True),  # TensorFlow's fused float16 MatMul+BiasAdd there
])
def test_the_crawl_rule_is_ten_times_float32s_step(step, crawling):
    assert probe.crawls(ProbedStep("mixed", 1.0, (step,)), BASE) is crawling


def test_limits_follow_float32s_measured_steps():
    assert probe.first_step_limit(None) == probe.BASELINE_LIMIT_S  # float32 itself
    assert probe.first_step_limit(BASE) == probe.FIRST_STEP_FLOOR_S  # 10 x 1 s is the floor
    assert probe.first_step_limit(ProbedStep("float32", 5.0, (1.0,))) == 50.0
    assert probe.step_limit(BASE) == pytest.approx(3.0)  # 3 x 10 x 0.1 s: a 10-30x step is measured whole
    assert probe.step_limit(ProbedStep("float32", 1.0, (0.001,))) == probe.STEP_FLOOR_S


def test_speedup_and_slowdown_from_the_probe():
    assert probe.speedup(ProbedStep("m", 1.0, (0.05,)), BASE) == (pytest.approx(2.0), False)
    stopped = ProbedStep("m", None, stopped_after_s=10.0)
    assert probe.speedup(stopped, BASE) == (pytest.approx(0.01), True)
    assert probe.slowdown(stopped, BASE) == "over 100x"
