"""Series over a history of real runs, and the lasting shifts found in them."""

from mpmodel.history.comparison import Thresholds
from mpmodel.history.shifts import Series, find_shifts, series
from mpmodel.store.runs import SPEEDUP_KIND, STEP_KIND
from mpmodel.store.source import FolderSource


def test_series_map_levels_to_run_positions(saved_runs):
    s = series(saved_runs)
    assert [i for i, _ in s[Series(STEP_KIND, "test_step_time[small-float32]", "")]] == [0, 1, 2]


def test_lasting_onednn_off_shift_is_found_where_it_started(tmp_path, saved_runs, write_history):
    a, b, off = (r.path for r in saved_runs)
    write_history(tmp_path, [a, b, a, b, off, off, off])
    runs, _ = FolderSource(tmp_path).runs()
    shifts = find_shifts(runs, Thresholds())
    bf16 = shifts[Series(STEP_KIND, "test_step_time[small-mixed_bfloat16]", "")]
    assert [s.index for s in bf16] == [4] and bf16[0].relative > 0.3
    assert [s.index for s in shifts[Series(SPEEDUP_KIND, "test_speedup[small-mixed_bfloat16]", "")]] == [4]


def test_a_single_odd_run_is_not_a_shift(tmp_path, saved_runs, write_history):
    a, b, off = (r.path for r in saved_runs)
    write_history(tmp_path, [a, b, a, off, b, a])
    runs, _ = FolderSource(tmp_path).runs()
    assert find_shifts(runs, Thresholds()) == {}


def test_runs_of_different_devices_never_share_a_series(tmp_path, saved_runs, write_history):
    import json

    a, b, _ = (r.path for r in saved_runs)
    paths = write_history(tmp_path, [a, b, a, b])
    for p in paths[2:]:
        content = json.loads(p.read_text())
        content["machine_info"]["mpmodel"]["device"]["cpu_model"] = "Intel Xeon 8480"
        p.write_text(json.dumps(content))
    runs, _ = FolderSource(tmp_path).runs()
    keys = [key.label for key in series(runs) if key.kind == STEP_KIND]
    assert "test_step_time[small-float32] on CPU AMD EPYC x2, tensorflow" in keys
    assert "test_step_time[small-float32] on CPU Intel Xeon 8480 x2, tensorflow" in keys
