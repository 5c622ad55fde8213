"""Runs the suite saves go into the history store too (`--mp-history`); a store that is down costs no run,
holds the session for no more than its connect timeout, and never shows its password."""

import json
import time

import pytest

from mpmodel.store.database import RunStore

pytest_plugins = ("pytester",)

TINY_BENCH = """
def test_sleep(benchmark):
    benchmark.extra_info["policy"] = "float32"
    benchmark.pedantic(lambda: sum(range(1000)), rounds=3, iterations=1)
"""


def run(pytester, *args):
    pytester.makepyfile(TINY_BENCH)
    return pytester.runpytest_subprocess("-p", "mpmodel.plugin", "-p", "no:cacheprovider", "--benchmark-autosave",
                                         "--mp-offline",  # the suite in use
                                         f"--benchmark-storage=file://{pytester.path / 'runs'}", *args)


@pytest.mark.session
def test_a_saved_run_goes_into_the_store_as_well(pytester):
    url = f"sqlite:///{pytester.path / 'history.db'}"
    result = run(pytester, f"--mp-history={url}")
    result.assert_outcomes(passed=1)
    saved = list((pytester.path / "runs").rglob("*.json"))
    assert len(saved) == 1
    stored = RunStore(url).runs()
    assert len(stored) == 1 and stored[0][1] == saved[0].stem
    assert stored[0][2] == json.loads(saved[0].read_text())  # the same run, whole
    result.stdout.fnmatch_lines([f"mpmodel: run * saved in the history store {url}"])


@pytest.mark.session
def test_a_store_that_is_down_costs_no_run_and_shows_no_password(pytester, monkeypatch):
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'mpmodel[postgres]')")
    monkeypatch.setenv("MPMODEL_HISTORY", "postgresql+psycopg://suite:s3cret@127.0.0.1:9/history")
    start = time.perf_counter()
    result = run(pytester)
    assert time.perf_counter() - start < 60
    result.assert_outcomes(passed=1)
    saved = list((pytester.path / "runs").rglob("*.json"))
    assert len(saved) == 1  # the JSON run stays
    out = result.stdout.str()
    assert "s3cret" not in out
    line = next(x for x in out.splitlines() if x.startswith("mpmodel: history store:"))
    assert "postgresql+psycopg://suite:***@127.0.0.1:9/history: cannot open the store" in line
    assert f"the run is kept in {saved[0]}" in line
    assert f"`mpmodel ingest {saved[0]} --source postgresql+psycopg://suite:***@127.0.0.1:9/history` adds it later" in line
