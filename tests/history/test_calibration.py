"""A/A noise calibration from real runs: spread, thresholds, storage."""

import json
import math

import pytest

from mpmodel.history import calibration
from mpmodel.store.runs import CALIBRATION_FILE, HistoryError
from mpmodel.store.source import FolderSource


def test_series_noise_from_known_levels():
    noise = calibration.series_noise([100.0, 110.0, 105.0])
    assert noise["runs"] == 3
    assert noise["widest"] == pytest.approx(0.10)
    assert noise["spread"] > 0
    assert noise["threshold"] == pytest.approx(max(0.10, math.expm1(3 * math.sqrt(2) * math.log1p(noise["spread"]))))


def test_calibrate_from_two_real_aa_runs(saved_runs):
    record = calibration.calibrate(saved_runs[:2])
    assert record["runs"] == [str(r.path) for r in saved_runs[:2]]
    step = record["series"]["step time|test_step_time[small-float32]"]
    assert step["runs"] == 2 and 0 <= step["widest"] < 0.5
    assert "speedup|test_speedup[small-mixed_bfloat16]" in record["series"]


def test_runs_from_different_contexts_are_refused(saved_runs):
    with pytest.raises(HistoryError, match="not an A/A run .*TF_ENABLE_ONEDNN_OPTS unset -> 0"):
        calibration.calibrate(saved_runs[1:])


def test_one_run_is_too_few(saved_runs):
    with pytest.raises(HistoryError, match="at least 2 A/A runs, got 1"):
        calibration.calibrate(saved_runs[:1])


def test_saved_calibration_loads_and_applies_only_to_its_context(tmp_path, saved_runs):
    where = calibration.save(calibration.calibrate(saved_runs[:2]), FolderSource(tmp_path))
    assert where == str(tmp_path / CALIBRATION_FILE) and not list(tmp_path.glob(".calibration-*"))
    cal = calibration.load(FolderSource(tmp_path))
    assert cal.threshold("step time", "test_step_time[small-float32]") is not None
    assert cal.threshold("step time", "no such series") is None
    assert cal.applies_to(saved_runs[0]) and not cal.applies_to(saved_runs[2])


def test_no_calibration_is_none_and_a_corrupt_one_is_named(tmp_path):
    source = FolderSource(tmp_path)
    assert calibration.load(source) is None
    (tmp_path / CALIBRATION_FILE).write_text("{\"series\": ")
    with pytest.raises(HistoryError, match="unreadable calibration"):
        calibration.load(source)
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps([1, 2]))
    with pytest.raises(HistoryError, match="not a calibration record"):
        calibration.load(source)
