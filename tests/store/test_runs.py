"""Reading a saved run: real suite runs load with their context, results and workload; a file that is no run is one line."""


import pytest

from mpmodel.store.runs import SPEEDUP_KIND, STEP_KIND, STEP_TIME, HistoryError, load_run


def test_real_runs_load_in_time_order_with_their_context(saved_runs):
    assert [r.number for r in saved_runs] == ["0001", "0002", "0003"]
    assert saved_runs[0].when < saved_runs[1].when < saved_runs[2].when
    facts = saved_runs[0].facts
    assert facts["TensorFlow"] and facts["Keras"] and facts["profile"] == "small" and facts["data"] == "synthetic-v1"
    assert facts["TF_ENABLE_ONEDNN_OPTS"] == "unset"
    assert saved_runs[2].facts["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_results_keep_rounds_policies_and_device_state(saved_runs):
    run = saved_runs[0]
    assert run.policies == ["float32", "mixed_bfloat16", "mixed_float16"]
    step = run.find(STEP_TIME, "float32")
    assert len(step.rounds) == 12 and step.median > 0
    assert step.extra["device_state"]["samples"] >= 2
    assert run.mpmodel["format"] == 1 and run.mpmodel["verdicts"]
    levels = run.levels()
    assert (STEP_KIND, "test_step_time[small-float32]") in levels
    assert (SPEEDUP_KIND, "test_speedup[small-mixed_bfloat16]") in levels


@pytest.mark.parametrize("make,problem", [
    (lambda d: d / "missing.json", "no such file"),
    (lambda d: d, "is a folder"),
])
def test_load_run_errors_are_one_line(tmp_path, make, problem):
    with pytest.raises(HistoryError, match=problem) as info:
        load_run(make(tmp_path))
    assert "\n" not in str(info.value)


def test_results_read_their_workload_and_old_ones_are_the_mlp(saved_runs):
    import copy

    run = saved_runs[0]
    assert {v.workload for v in run.variants} == {"mlp"} and run.variants[0].label() == run.variants[0].policy
    newer = copy.deepcopy(run)
    for result in newer.results.values():
        result.extra.update({"workload": "blobs", "workload_version": 2})
        result.__dict__.pop("record", None)
    newer.__dict__.pop("variants", None)
    assert newer.variants[0].label().startswith("blobs v2: ")
    assert all(" (blobs v2)" in name for _, name in newer.levels())
