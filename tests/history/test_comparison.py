"""Comparing real runs: A/A shows no regression, the planted oneDNN-off slowdown is flagged both ways."""

import copy

import pytest

from mpmodel.history.comparison import (
    DEFAULT_SPEEDUP_THRESHOLD,
    DEFAULT_STEP_THRESHOLD,
    Thresholds,
    compare_runs,
    confirming_steps,
    decide,
    judge,
)
from mpmodel.history.render_formats import comparison_markdown
from mpmodel.history.render_text import format_comparison
from mpmodel.history.twosample import SampleChange
from mpmodel.store.runs import SPEEDUP_KIND, STEP_KIND


def change(ratio, p):
    return SampleChange(1.0, ratio, ratio, ratio * 0.95, ratio * 1.05, p, 12, 12, 0.95)


@pytest.mark.parametrize("kind,ratio,p,expected", [
    (STEP_KIND, 1.30, 0.001, "worse"),
    (STEP_KIND, 0.70, 0.001, "better"),
    (STEP_KIND, 1.30, 0.20, "same"),   # large but not significant
    (STEP_KIND, 1.05, 0.001, "same"),  # significant but within the 10% threshold
    (SPEEDUP_KIND, 0.70, 0.001, "worse"),
    (SPEEDUP_KIND, 1.30, 0.001, "better"),
])
def test_judge_needs_significance_and_size_both_ways(kind, ratio, p, expected):
    assert judge(kind, change(ratio, p), 0.10, 0.05) == expected


@pytest.mark.parametrize("confirming,expected", [
    (change(1.30, 0.001), ("worse", False)),  # both measurements slower: a regression
    (change(1.02, 0.40), ("same", True)),     # test_speedup's steps did not move: a busy moment, not a regression
    (change(0.80, 0.001), ("same", True)),    # the other way: not confirmed either
    (None, ("worse", False)),                 # no test_speedup in the runs: step time judged alone
])
def test_a_step_time_change_needs_its_confirming_steps(confirming, expected):
    assert decide(STEP_KIND, change(1.30, 0.001), confirming, 0.10, 0.05) == expected


def with_scaled_times(run, policy, step=1.0, speedup_steps=1.0):
    """A copy of a saved run with one policy's step-time rounds and test_speedup steps scaled."""
    import copy

    out = copy.deepcopy(run)
    for r in out.results.values():
        if r.test == "test_step_time" and r.policy == policy:
            r.rounds = [t * step for t in r.rounds]
        if r.test == "test_speedup" and r.policy == policy:
            r.extra["mixed_times"] = [t * speedup_steps for t in r.extra["mixed_times"]]
    return out


def test_a_slowdown_seen_only_in_test_step_time_is_reported_unconfirmed(saved_runs):
    bf16 = "mixed_bfloat16"
    busy = compare_runs(saved_runs[0], with_scaled_times(saved_runs[0], bf16, step=1.5))
    step = next(c for c in busy.changes if c.kind == STEP_KIND and c.policy == bf16)
    assert step.unconfirmed and step.direction == "same" and busy.regressions == []
    assert step.confirmation.ratio == pytest.approx(1.0)
    real = compare_runs(saved_runs[0], with_scaled_times(saved_runs[0], bf16, step=1.5, speedup_steps=1.5))
    assert {(c.kind, c.policy) for c in real.regressions} == {(STEP_KIND, bf16), (SPEEDUP_KIND, bf16)}


def as_harness_check(run):
    """A copy of a saved run as if it had run the harness-check profile."""
    out = copy.deepcopy(run)
    for r in out.results.values():
        r.extra["profile"] = "tiny"
        r.__dict__.pop("record", None)  # the cached typed record reads extra_info again
    return out


def test_a_harness_check_profile_is_compared_and_shown_but_never_gates(saved_runs):
    bf16 = "mixed_bfloat16"
    slower = with_scaled_times(saved_runs[0], bf16, step=1.5, speedup_steps=1.5)
    result = compare_runs(as_harness_check(saved_runs[0]), as_harness_check(slower))
    assert {(c.kind, c.policy) for c in result.ungated} == {(STEP_KIND, bf16), (SPEEDUP_KIND, bf16)}
    assert result.regressions == [] and result.improvements == []
    text = format_comparison(result)
    assert "SLOWER (beyond the 15.0% threshold" in text and "a harness-check profile: shown, not gated" in text
    assert "result: no significant regression (2 change(s) beyond the threshold in tiny series" in text
    assert "SLOWER (not gated)" in comparison_markdown(result)


def test_float32_is_confirmed_by_every_speedup_tests_float32_steps(saved_runs):
    run = saved_runs[0]
    step = run.results["test_step_time[small-float32]"]
    pooled = [t for r in run.results.values() if r.test == "test_speedup" for t in r.extra["float32_times"]]
    assert confirming_steps(run, step) == pooled and len(pooled) == 30


def test_aa_runs_show_no_regression(saved_runs):
    result = compare_runs(saved_runs[0], saved_runs[1])
    assert result.context == []
    assert {c.name for c in result.changes} >= {"test_step_time[small-float32]", "test_speedup[small-mixed_bfloat16]"}
    assert result.regressions == [], [(c.name, c.percent, c.sample.p_value) for c in result.regressions]
    assert {a.policy for a in result.accuracy} == {"mixed_bfloat16", "mixed_float16"}


def test_onednn_off_flags_bf16_slowdown_and_speedup_drop(saved_runs):
    result = compare_runs(saved_runs[1], saved_runs[2])
    assert result.context == ["TF_ENABLE_ONEDNN_OPTS unset -> 0"]
    flagged = {(c.kind, c.policy) for c in result.regressions}
    assert (STEP_KIND, "mixed_bfloat16") in flagged
    assert (SPEEDUP_KIND, "mixed_bfloat16") in flagged
    bf16 = next(c for c in result.changes if c.kind == STEP_KIND and c.policy == "mixed_bfloat16")
    assert bf16.sample.p_value < 0.001 and bf16.sample.low > 1.1


def test_reversed_comparison_reports_an_unexpected_improvement(saved_runs):
    result = compare_runs(saved_runs[2], saved_runs[1])
    assert (STEP_KIND, "mixed_bfloat16") in {(c.kind, c.policy) for c in result.improvements}
    assert (STEP_KIND, "mixed_bfloat16") not in {(c.kind, c.policy) for c in result.regressions}


def test_benchmarks_in_one_run_only_are_listed_not_compared(saved_runs):
    import copy

    after = copy.copy(saved_runs[1])
    after.results = {k: v for k, v in saved_runs[1].results.items() if "float16" not in k}
    result = compare_runs(saved_runs[0], after)
    assert "test_step_time[small-mixed_float16] (only in before)" in result.unmatched


class FakeCalibration:
    def __init__(self, value):
        self.value = value

    def threshold(self, kind, name):
        return self.value


def test_calibration_raises_the_threshold_but_never_lowers_it():
    raised = Thresholds(step=0.10, calibration=FakeCalibration(0.25))
    assert raised.for_series(STEP_KIND, "x") == (0.25, "calibrated A/A noise")
    value, source = Thresholds(step=0.10, calibration=FakeCalibration(0.02)).for_series(STEP_KIND, "x")
    assert value == 0.10 and source == "default (calibrated noise 2.0%)"


def test_step_time_and_speedup_have_their_own_defaults():
    t = Thresholds()
    assert t.for_series(STEP_KIND, "x") == (DEFAULT_STEP_THRESHOLD, "default")
    assert t.for_series(SPEEDUP_KIND, "x") == (DEFAULT_SPEEDUP_THRESHOLD, "default")
    assert DEFAULT_SPEEDUP_THRESHOLD < DEFAULT_STEP_THRESHOLD  # the within-run ratio is the steadier series


def with_memory(run, samples_mib):
    """A copy of a saved run with test_memory results whose step peaks are the given MiB samples, per policy."""
    import copy

    from mpmodel.store.runs import Result

    out = copy.deepcopy(run)
    for policy, samples in samples_mib.items():
        name = f"test_memory[small-jit_auto-fp32_default-{policy}]"
        peaks = [int(m * 2**20) for m in samples]
        out.results[name] = Result(name, "test_memory", policy, "small", [9.0],
                                   {"policy": policy, "jit": "auto", "fp32": "default", "footprint_samples": peaks,
                                    "footprint_bytes": sorted(peaks)[len(peaks) // 2]})
    return out


def test_peak_memory_growth_beyond_the_threshold_is_flagged_and_aa_is_quiet(saved_runs):
    from mpmodel.history.comparison import DEFAULT_MEMORY_THRESHOLD
    from mpmodel.history.render_text import format_comparison
    from mpmodel.store.runs import MEMORY_KIND

    base = {"float32": [42.1, 42.3, 42.0, 42.6, 42.2], "mixed_bfloat16": [58.0, 61.5, 59.2, 63.0, 60.1]}
    again = {"float32": [42.4, 42.0, 42.2, 42.3, 42.5], "mixed_bfloat16": [60.5, 58.7, 62.8, 59.9, 61.0]}
    grown = {**again, "mixed_bfloat16": [m * 4 / 3 for m in again["mixed_bfloat16"]]}  # a third more
    before = with_memory(saved_runs[0], base)
    quiet = compare_runs(before, with_memory(saved_runs[1], again))
    assert not [c for c in quiet.regressions if c.kind == MEMORY_KIND]
    flagged = compare_runs(before, with_memory(saved_runs[1], grown))
    memory = [c for c in flagged.changes if c.kind == MEMORY_KIND]
    assert {c.policy: c.direction for c in memory} == {"float32": "same", "mixed_bfloat16": "worse"}
    grew = next(c for c in memory if c.direction == "worse")
    assert grew.threshold == DEFAULT_MEMORY_THRESHOLD and grew.percent == pytest.approx(35.6, abs=1.5)
    text = format_comparison(flagged)
    assert "peak memory while training" in text and "GREW (beyond the 10.0% threshold" in text
    result = next(line for line in text.splitlines() if line.startswith("result:"))
    assert result.startswith("result: REGRESSION") and "mixed_bfloat16 peak memory +" in result


def test_accuracy_from_another_recipe_is_not_compared(saved_runs):
    """Runs saved before the decay recipe hold the seed recipe's median; a decay run's mean is another quantity."""
    before, after = saved_runs[0], copy.deepcopy(saved_runs[1])
    for result in after.results.values():
        if result.test == "test_accuracy":
            result.extra["recipe"] = "decay"
    result = compare_runs(before, after)
    assert result.accuracy == []
    assert any("accuracy from the seed recipe, then the decay recipe" in u for u in result.unmatched)


def as_workload(run, name, version):
    """A copy of a saved run (saved before workloads existed) as if a later one of workload `name`."""
    out = copy.deepcopy(run)
    for result in out.results.values():
        result.extra.update({"schema": 2, "workload": name, "workload_version": version})
        result.__dict__.pop("record", None)
    return out


def test_old_runs_compare_with_new_runs_of_the_mlp(saved_runs):
    before, after = saved_runs[0], as_workload(saved_runs[1], "mlp", 1)
    result = compare_runs(before, after)
    assert result.changes and not any("not comparable" in u for u in result.unmatched)


def test_two_versions_of_a_workload_are_refused_with_the_reason(saved_runs):
    before, after = as_workload(saved_runs[0], "blobs", 1), as_workload(saved_runs[1], "blobs", 2)
    result = compare_runs(before, after)
    assert not result.changes and not result.accuracy
    assert any("(not comparable: workload blobs version 1 against 2 (its model, data or sizes changed))" in u
               for u in result.unmatched)


def test_compare_names_a_cuda_and_cudnn_change_in_one_spelling(saved_runs):
    """Stand-ins: the same runs but for CUDA 12.8 (JAX's 12080) -> 13.0 and cuDNN 91900 -> 9.20.0."""
    import copy

    from mpmodel.history.comparison import compare_runs

    before, after = copy.deepcopy(saved_runs[0]), copy.deepcopy(saved_runs[1])
    for run, cuda, cudnn in ((before, 12080, 91900), (after, "13.0", "9.20.0")):
        run.machine_info["mpmodel"]["device"].update(cuda_build_version=cuda, cudnn_build_version=cudnn)
        run.__dict__.pop("facts", None)
    changes = compare_runs(before, after).context
    assert "CUDA 12.8 -> 13.0" in changes and "cuDNN 9.19.0 -> 9.20.0" in changes
