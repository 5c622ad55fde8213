"""The project's tests: two tiers, and the fixtures they share.

`pytest tests/` runs the fast tier: every module's logic in this process, in under two minutes on 2 cores.
`pytest tests/ --slow` adds the slow tier: the tests marked with one of SLOW_KINDS below (registered in
pyproject.toml, under --strict-markers), each of which starts something costly or needs a service.

Saved runs made by the real suite on the 2-core EPYC (tests/fixtures/runs, see its README):
0001 and 0002 are A/A runs; 0003 ran with TF_ENABLE_ONEDNN_OPTS=0, the planted slowdown."""

import importlib
import io
import json
import os
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mpmodel.history.cli import main
from mpmodel.store.database import RunStore
from mpmodel.store.schema import METADATA, VERSION_TABLE
from mpmodel.store.source import FolderSource, forget_sources

FIXTURE_STORAGE = Path(__file__).parent / "fixtures" / "runs"

# The slow tier, by what makes a test slow: each is a registered marker (pyproject.toml) and puts its test in the
# slow tier. A PostgreSQL case of the store fixtures is marked `server` here, so no test body needs to say it.
SLOW_KINDS = {
    "session": "starts a pytest session of the suite (or the README's commands) in a child process",
    "framework": "starts a child process that imports a framework or runs a study, or builds and runs models for seconds",
    "server": "needs a PostgreSQL server (pg_virtualenv, or MPMODEL_TEST_POSTGRES)",
    "browser": "renders in headless Chromium, or builds the manual with MkDocs",
    "fit": "trains real models for several epochs",
    "package": "builds the wheel and the sdist (python -m build)",
}
SLOW_OPTION = "--slow"


def pytest_addoption(parser):
    parser.addoption(SLOW_OPTION, action="store_true", default=False,
                     help="also run the slow tier: tests marked " + ", ".join(SLOW_KINDS) + " (tests/conftest.py)")


def slow_kinds(item) -> list[str]:
    """The slow-tier markers on a test, a PostgreSQL case of the store fixtures counted as `server`."""
    kinds = [k for k in SLOW_KINDS if item.get_closest_marker(k)]
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "postgresql" in (params.get("store_url"), params.get("run_source")) and "server" not in kinds:
        kinds.append("server")
    return kinds


def pytest_collection_modifyitems(config, items):
    """Without --slow, the slow tier is deselected (pytest's summary counts it) and the end says how to run it."""
    if config.getoption(SLOW_OPTION):
        return
    slow = [item for item in items if slow_kinds(item)]
    if slow:
        items[:] = [item for item in items if not slow_kinds(item)]
        config.hook.pytest_deselected(items=slow)
        config.stash[SLOW_LEFT] = len(slow)


SLOW_LEFT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, config):
    left = config.stash.get(SLOW_LEFT, 0)
    if left:
        tests = f"{left} test{'s' if left != 1 else ''}"
        terminalreporter.write_line(f"the slow tier ({tests}: {', '.join(SLOW_KINDS)}) was not run: "
                                    f"`pytest tests/ {SLOW_OPTION}` runs both tiers")


@pytest.fixture
def storage(tmp_path) -> Path:
    """A writable copy of the fixture storage."""
    target = tmp_path / "storage"
    shutil.copytree(FIXTURE_STORAGE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture(scope="session")
def saved_runs():
    runs, skipped = FolderSource(FIXTURE_STORAGE).runs()
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


# The history store's tests run against SQLite always, and against PostgreSQL where a server is given:
# MPMODEL_TEST_POSTGRES=postgresql+psycopg://..., or the PG* variables `pg_virtualenv` sets (.ci/run starts one).
def postgres_url() -> str | None:
    url = os.environ.get("MPMODEL_TEST_POSTGRES")
    if url:
        return url
    env = os.environ
    if all(k in env for k in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE")):
        password = f":{env['PGPASSWORD']}" if env.get("PGPASSWORD") else ""
        return f"postgresql+psycopg://{env['PGUSER']}{password}@{env['PGHOST']}:{env['PGPORT']}/{env['PGDATABASE']}"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return fresh_postgres()


def fresh_postgres() -> str:
    """The test server's URL, its mpmodel tables dropped; a skip with the reason where there is none."""
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server: set MPMODEL_TEST_POSTGRES or run under pg_virtualenv (.ci/run does)")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'mpmodel[postgres]')")
    store = RunStore(url)
    METADATA.drop_all(store.engine)  # each test starts from an empty store
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {VERSION_TABLE}")
    store.engine.dispose()
    forget_sources()  # the history commands' open store would still think its tables exist
    return url


@pytest.fixture(params=["folder", "sqlite", "postgresql"])
def run_source(request, storage, tmp_path) -> str:
    """The fixture's three runs in each kind of source, named as a user names it: a folder, a SQLite file's URL, a
    PostgreSQL URL (where a server is given); the databases filled by `mpmodel ingest`."""
    if request.param == "folder":
        return str(storage)
    url = fresh_postgres() if request.param == "postgresql" else f"sqlite:///{tmp_path / 'runs.db'}"
    assert main(["ingest", str(storage), "--source", url], out=io.StringIO()) == 0
    return url


STUDIES = Path(__file__).resolve().parents[1] / "studies"


def import_study(name: str):
    """A script of studies/ as a module (studies/ put on the path once)."""
    if str(STUDIES) not in sys.path:
        sys.path.insert(0, str(STUDIES))
    return importlib.import_module(name)
