"""A/A runs for `mpmodel calibrate`: the suite run N times in a row, each a fresh pytest process, its saved runs
added to the source (a folder takes them directly; a database through a scratch folder, then `save`)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mpmodel.store.runs import HistoryError, SavedRun
from mpmodel.store.source import FolderSource, RunSource, saved_file

RUN_NAME = "aa-calibration"


def suite_command(storage: Path, pytest_args: str) -> list[str]:
    """One A/A run: pytest saving its run (with per-round data) into `storage`."""
    return [sys.executable, "-m", "pytest", *shlex.split(pytest_args), "-p", "no:cacheprovider", "-q",
            f"--benchmark-storage=file://{storage}", f"--benchmark-save={RUN_NAME}", "--benchmark-save-data"]


def run_suite(source: RunSource, repeat: int, pytest_args: str, out, call=subprocess.call) -> list[SavedRun]:
    """Run the suite `repeat` times; the runs it saved, each added to the source. HistoryError where a run fails
    or saves nothing."""
    with tempfile.TemporaryDirectory(prefix="mpmodel-aa-") as scratch:
        storage = (source.pytest_storage() or Path(scratch)).resolve()
        made = []
        print(f"calibrate: {repeat} A/A runs of the suite, each as long as one run (its header's `mpmodel predicts` "
              "line); the time left is said after each", file=out, flush=True)
        start = time.perf_counter()
        for i in range(repeat):
            known = set(FolderSource(storage).files()) if storage.is_dir() else set()
            cmd = suite_command(storage, pytest_args)
            if i:
                each = (time.perf_counter() - start) / i
                print(f"A/A runs took {each:.0f} s each: about {each * (repeat - i) / 60:.1f} min left", file=out, flush=True)
            print(f"A/A run {i + 1}/{repeat}: {shlex.join(cmd)}", file=out, flush=True)
            code = call(cmd, env=os.environ.copy())
            if code not in (0, 1):  # 1: a gate failed, the timings still count
                raise HistoryError(f"calibrate: pytest exited {code} on A/A run {i + 1}; fix that run first")
            new = sorted(set(FolderSource(storage).files()) - known)
            if not new:
                raise HistoryError(f"calibrate: A/A run {i + 1} saved nothing in {storage}")
            made.extend(new)
        runs = [saved_file(p) for p in made]
        if source.pytest_storage() is None:
            for run, content in runs:
                source.save(content, name=run.path.stem)
        return [run for run, _ in runs]
