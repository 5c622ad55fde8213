"""The one place that touches pytest-benchmark's private parts, checked against the version it was written for.

pytest-benchmark's public hooks give the plugin machine_info, the saved JSON and the compare warning.
Two things have no hook: saving atomically (its FileStorage.save numbers and writes the file in
place) and not saving a session cut short. Both need its BenchmarkSession object and a few of its
attributes; `MISSING` checks each, so a pytest-benchmark that renamed one fails a test here
(tests/plugin/test_benchmark_session.py) instead of silently saving half-written runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest_benchmark
from pytest_benchmark.storage.file import FileStorage
from pytest_benchmark.utils import safe_dumps

from mpmodel.core.atomic import write_atomically
from mpmodel.plugin.saving import save_numbered

WRITTEN_FOR_MAJOR = 5  # pyproject.toml bounds the dependency to this major version
SESSION_ATTRIBUTES = ("storage", "json", "save", "autosave", "save_json", "compare", "compared_mapping", "logger", "columns")
STORAGE_ATTRIBUTES = ("save", "get", "logger")


def major_version(version: str | None = None) -> int | None:
    text = pytest_benchmark.__version__ if version is None else version
    head = text.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def session_of(config):
    """pytest-benchmark's BenchmarkSession for this run, None where pytest-benchmark is not active."""
    return getattr(config, "_benchmarksession", None)


def unsupported(session, version: str | None = None) -> str | None:
    """Why the adapter must leave this session alone (another major version, a missing attribute), or None."""
    found = pytest_benchmark.__version__ if version is None else version
    if major_version(found) != WRITTEN_FOR_MAJOR:
        return f"pytest-benchmark {found} is not the {WRITTEN_FOR_MAJOR}.x this plugin was written for"
    missing = [name for name in SESSION_ATTRIBUTES if not hasattr(session, name)]
    if isinstance(session.storage, FileStorage):
        missing += [f"storage.{name}" for name in STORAGE_ATTRIBUTES if not hasattr(session.storage, name)]
    if missing:
        return f"pytest-benchmark {found} has no {', '.join(missing)}"
    return None


def _dumps(output_json) -> bytes:
    return safe_dumps(output_json, ensure_ascii=True, indent=4).encode()


def install_atomic_saving(session, after_save=None) -> None:
    """Numbered runs through `save_numbered`, --benchmark-json through a temporary file and a rename.
    Storages other than files (elasticsearch) are left alone. `after_save(output_json, path)` runs after
    each file is written whole (the history store's save)."""
    storage = session.storage
    if isinstance(storage, FileStorage):
        def save(output_json, save):
            target = save_numbered(storage.get(""), save, _dumps(output_json))
            storage.logger.info(f"Saved benchmark data in: {target}")
            if after_save is not None:
                after_save(output_json, target)
        storage.save = save

    if session.json is not None:
        def save_json(output_json):
            path = Path(session.json)
            write_atomically(path, lambda tmp: tmp.write_bytes(_dumps(output_json)))
            session.logger.info(f"Wrote benchmark data in: {path}", purple=True)
            if after_save is not None:
                after_save(output_json, path)
        session.save_json = save_json


# The table where the user chose neither columns nor grouping: a step, a pair of K-step rounds, a fit and a memory
# child differ by 1000x and more, so the table holds the timed steps alone, one table a kind in its own unit, with the
# columns that mean something for a handful of long rounds (no OPS, no outlier counts, no IQR of one round). A fit's
# and a memory child's times are in the saved run; --benchmark-group-by=func shows every test.
TABLE_COLUMNS = ["median", "min", "max", "rounds"]
PYTEST_BENCHMARK_COLUMNS = ["min", "max", "mean", "stddev", "median", "iqr", "outliers", "ops", "rounds", "iterations"]
TABLE_KINDS = {"test_step_time": "step time: one step", "test_speedup": "speedup: one mixed round of K steps"}
NOT_IN_TABLE = {"test_accuracy", "test_seed_recipe_accuracy", "test_memory"}  # fits and memory children
SUITE_FILES = {"test_step_time": "test_step_time.py", "test_speedup": "test_speedup.py", "test_memory": "test_memory.py",
               "test_accuracy": "test_accuracy.py", "test_seed_recipe_accuracy": "test_accuracy.py"}


def fit_table(session) -> None:
    """The suite's columns for pytest-benchmark's table, unless --benchmark-columns chose others; the table
    written through `TableWriter`."""
    if list(session.columns) == PYTEST_BENCHMARK_COLUMNS:
        session.columns = list(TABLE_COLUMNS)
    display = session.display

    def suite_display(tr):
        legend = any(column in session.columns for column in LEGEND_COLUMNS)
        return display(TableWriter(tr, legend))

    session.display = suite_display


LEGEND_COLUMNS = ("outliers", "ops")  # the columns pytest-benchmark's legend explains
LEGEND_LINES = ("Legend:", "  Outliers:", "  OPS:")


class TableWriter:
    """The terminal as pytest-benchmark's table sees it: no blank lines (each table's rules part it from the next),
    and no legend where the table shows neither column the legend explains. Everything else goes through
    unchanged."""

    def __init__(self, tr, legend: bool):
        self._tr, self._legend = tr, legend

    def write_line(self, line="", **markup):
        text = str(line)
        if not text.strip() or (not self._legend and text.startswith(LEGEND_LINES)):
            return
        self._tr.write_line(line, **markup)

    def write(self, content, **markup):
        self._tr.write(content, **markup)

    def __getattr__(self, name):
        return getattr(self._tr, name)


def suite_groups(benchmarks: list[dict]) -> tuple[list[tuple], int]:
    """pytest-benchmark's groups for its table: the suite's step-time and speedup rounds a kind each, any other
    test under its own group; and how many fits and memory children were left out."""
    groups: dict[str, list] = {}
    left_out = 0
    for bench in benchmarks:
        func = bench["name"].split("[")[0]
        suite_file = bench["fullname"].split("::")[0].endswith(SUITE_FILES.get(func, "\0"))
        if suite_file and func in NOT_IN_TABLE:
            left_out += 1
            continue
        kind = TABLE_KINDS.get(func) if suite_file else None
        groups.setdefault(kind or bench["group"] or "", []).append(bench)
    for grouped in groups.values():
        grouped.sort(key=lambda b: b["name"])
    return sorted(groups.items()), left_out


def cancel_saving(session) -> bool:
    """Turn off every save of this session; True when one was asked for."""
    asked = bool(session.save or session.autosave or session.json)
    session.save = session.autosave = False
    session.json = None
    return asked


def compares_nothing(session) -> bool:
    """--benchmark-compare was asked for, but the storage holds no run to compare with."""
    return bool(session.compare) and not session.compared_mapping


def storage_location(session) -> str:
    return str(session.storage)


def add_round(benchmark, seconds: float) -> None:
    """One more timed round in `benchmark`'s statistics after its pedantic call (a sequential gate's later look
    measures beyond the rounds pedantic ran); nothing under --benchmark-disable, where it keeps none."""
    if benchmark.enabled and benchmark.stats is not None:
        benchmark.stats.update(seconds)
