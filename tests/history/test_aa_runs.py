"""A/A runs for calibrate: each run's file goes into a folder source directly and into a database through a scratch
folder; a run that fails or saves nothing stops the calibration with one line."""

import io
import re
import shutil
from pathlib import Path

import pytest

from mpmodel.history.aa_runs import RUN_NAME, run_suite
from mpmodel.store.runs import HistoryError
from mpmodel.store.source import open_source


def fake_pytest(saved_runs, exit_code=0, saves=True):
    """Stands in for `pytest benchmarks/`: saves the next fixture run where --benchmark-storage says."""
    made = []

    def call(cmd, env):
        storage = next(a for a in cmd if a.startswith("--benchmark-storage=")).removeprefix("--benchmark-storage=file://")
        assert f"--benchmark-save={RUN_NAME}" in cmd and "--benchmark-save-data" in cmd
        if saves:
            source = saved_runs[len(made)].path
            target = f"{storage}/Machine/{len(made) + 1:04d}_{RUN_NAME}.json"
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
            made.append(target)
        return exit_code

    return call


@pytest.mark.parametrize("kind", ["folder", "sqlite"])
def test_the_runs_land_in_the_source(kind, tmp_path, saved_runs):
    spec = str(tmp_path / "runs") if kind == "folder" else f"sqlite:///{tmp_path / 'h.db'}"
    out = io.StringIO()
    runs = run_suite(open_source(spec), 2, "benchmarks/", out, call=fake_pytest(saved_runs))
    assert [r.name for r in runs] == [f"0001_{RUN_NAME}", f"0002_{RUN_NAME}"]
    assert len(re.findall(r"A/A run \d/2: ", out.getvalue())) == 2
    stored, _ = open_source(spec).runs()
    assert sorted(r.name for r in stored) == [f"0001_{RUN_NAME}", f"0002_{RUN_NAME}"]
    assert all(r.results for r in stored)


def test_a_failed_or_empty_run_stops_with_one_line(tmp_path, saved_runs):
    source = open_source(str(tmp_path / "runs"))
    with pytest.raises(HistoryError, match=r"^calibrate: pytest exited 4 on A/A run 1; fix that run first$"):
        run_suite(source, 2, "benchmarks/", io.StringIO(), call=fake_pytest(saved_runs, exit_code=4))
    with pytest.raises(HistoryError, match=r"^calibrate: A/A run 1 saved nothing in "):
        run_suite(source, 2, "benchmarks/", io.StringIO(), call=fake_pytest(saved_runs, saves=False))
