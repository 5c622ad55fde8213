"""Reading saved runs: real suite runs load; broken files are named and skipped; runs resolve by name."""

import json
import shutil

import pytest

from mpmodel.history.runs import SPEEDUP_KIND, STEP_KIND, STEP_TIME, HistoryError, load_history, load_run, resolve, run_files


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


def test_unreadable_files_are_named_and_skipped(storage):
    folder = next(p for p in storage.iterdir() if p.is_dir())
    real = sorted(folder.glob("*.json"))[0]
    (folder / "0100_truncated.json").write_text(real.read_text()[:500])
    (folder / "0101_other.json").write_text(json.dumps({"hello": 1}))
    (folder / "0102_binary.json").write_bytes(b"\x89PNG\x00\xff")
    runs, skipped = load_history(storage)
    assert len(runs) == 3
    reasons = {p.name: why for p, why in skipped}
    assert reasons["0100_truncated.json"].startswith("not valid JSON")
    assert reasons["0101_other.json"] == "not a pytest-benchmark run (no 'benchmarks' list)"
    assert reasons["0102_binary.json"] == "not a text file"


@pytest.mark.parametrize("make,problem", [
    (lambda d: d / "missing.json", "no such file"),
    (lambda d: d, "is a folder"),
])
def test_load_run_errors_are_one_line(tmp_path, make, problem):
    with pytest.raises(HistoryError, match=problem) as info:
        load_run(make(tmp_path))
    assert "\n" not in str(info.value)


def test_runs_resolve_by_file_number_latest_and_previous(storage, saved_runs):
    assert resolve("latest", storage).number == "0003"
    assert resolve("previous", storage).number == "0002"
    assert resolve("0001", storage).name == saved_runs[0].name
    assert resolve(str(saved_runs[1].path), storage).number == "0002"
    with pytest.raises(HistoryError, match="no saved run numbered '0042'"):
        resolve("0042", storage)


def test_same_number_on_two_machines_is_ambiguous(storage):
    folder = next(p for p in storage.iterdir() if p.is_dir())
    shutil.copytree(folder, storage / "Other-Machine")
    with pytest.raises(HistoryError, match="ambiguous"):
        resolve("0001", storage)


def test_missing_storage_says_how_to_make_one(tmp_path):
    with pytest.raises(HistoryError, match="no such storage folder .*--benchmark-autosave"):
        run_files(tmp_path / "nowhere")


def test_previous_needs_two_runs_and_says_how_to_get_them(tmp_path, saved_runs):
    shutil.copy(saved_runs[0].path, tmp_path / saved_runs[0].path.name)
    assert resolve("latest", tmp_path).number == "0001"
    with pytest.raises(HistoryError, match=r"holds 1 readable saved run\(s\), previous needs 2; save a baseline first"):
        resolve("previous", tmp_path)


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
