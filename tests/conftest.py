"""Saved runs made by the real suite on the 2-core EPYC (tests/fixtures/runs, see its README):
0001 and 0002 are A/A runs; 0003 ran with TF_ENABLE_ONEDNN_OPTS=0, the planted slowdown."""

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mpmodel.history.runs import load_history

FIXTURE_STORAGE = Path(__file__).parent / "fixtures" / "runs"


@pytest.fixture
def storage(tmp_path) -> Path:
    """A writable copy of the fixture storage."""
    target = tmp_path / "storage"
    shutil.copytree(FIXTURE_STORAGE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture(scope="session")
def saved_runs():
    runs, skipped = load_history(FIXTURE_STORAGE)
    assert not skipped and len(runs) == 3
    return runs


@pytest.fixture
def write_history():
    return _write_history


def _write_history(folder: Path, sources: list[Path]) -> list[Path]:
    """A longer history from real runs: copies renumbered and dated an hour apart, in the given order."""
    folder.mkdir(parents=True, exist_ok=True)
    written, start = [], None
    for i, source in enumerate(sources, start=1):
        content = json.loads(source.read_text())
        when = datetime.fromisoformat(content["datetime"])
        start = start or when
        content["datetime"] = (start + timedelta(hours=i)).isoformat()
        path = folder / f"{i:04d}_{source.stem.split('_', 1)[1]}.json"
        path.write_text(json.dumps(content))
        written.append(path)
    return written
