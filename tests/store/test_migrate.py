"""Upgrading a store in place (mpmodel.store.migrate): a store written by mpmodel 0.2.0 (tests/fixtures/stores, made
with that release's code; on PostgreSQL the same rows under that release's tables) comes to this release's schema
with every run kept and the same report; the upgrade lands whole or not at all; a fresh store is the same schema."""

import io
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mpmodel.history.cli import main
from mpmodel.store import database, migrate, schema
from mpmodel.store.database import RunStore, StoreError
from mpmodel.store.source import forget_sources

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stores"
OLD_STORE = FIXTURES / "history-0.2.0.db"  # `mpmodel ingest` of tests/fixtures/runs and two workload runs, by 0.2.0
OLD_REPORT = FIXTURES / "history-0.2.0.report.json"  # `mpmodel report --format json` on it, by 0.2.0
TABLES = ("mpmodel_runs", "mpmodel_results", "mpmodel_verdicts", "mpmodel_meta")


def cli(*argv) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def old_store(url: str, tmp_path: Path) -> str:
    """A store as 0.2.0 left it at `url`: the fixture file itself for SQLite; for PostgreSQL, its rows copied into
    the baseline revision's tables with no version table (as 0.2.0 made them)."""
    if url.startswith("sqlite"):
        shutil.copy(OLD_STORE, tmp_path / "old.db")
        return f"sqlite:///{tmp_path / 'old.db'}"
    source = sa.create_engine(f"sqlite:///{OLD_STORE}")
    target = RunStore(url).engine
    with target.begin() as conn:
        command.upgrade(migrate._config(conn), migrate.BASELINE)
        conn.exec_driver_sql(f"DROP TABLE {schema.VERSION_TABLE}")
        old = sa.MetaData()
        old.reflect(conn, only=TABLES)
        with source.connect() as src:
            for name in TABLES:
                rows = [dict(r._mapping) for r in src.execute(sa.text(f"SELECT * FROM {name}"))]
                if rows:
                    conn.execute(old.tables[name].insert(), rows)
    forget_sources()
    return url


def levels(report: dict) -> list:
    return [(r["name"], r["context"], r["levels"]) for r in report["runs"]]


def test_a_store_written_by_0_2_0_upgrades_in_place_and_reports_as_before(store_url, tmp_path, storage):
    url = old_store(store_url, tmp_path)
    store = RunStore(url)
    assert store.revision() == migrate.BASELINE
    with store.engine.connect() as conn:  # read as 0.2.0 left it: opening the store for runs would upgrade it
        before = set(conn.execute(sa.text("SELECT id FROM mpmodel_runs")).scalars())
    code, out = cli("store", "upgrade", url)
    assert code == 0 and f"schema revision {migrate.BASELINE} -> {migrate.head()}, 5 runs kept" in out
    assert store.revision() == migrate.head() and {rid for rid, _, _ in store.runs()} == before
    forget_sources()
    code, report = cli("report", "--source", url, "--format", "json")
    assert code == 0
    old = json.loads(OLD_REPORT.read_text())
    assert levels(json.loads(report)) == levels(old)  # the same runs, contexts and series levels
    assert json.loads(report)["shifts"] == old["shifts"]
    # and the same report as the same runs saved by this release: the backfill wrote what saving writes
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh_store = RunStore(fresh)
    fresh_store.save_many((json.loads(content), name) for name, content in _names_and_contents(store))
    assert (cli("report", "--source", fresh)[1].replace(fresh_store.shown, "STORE")
            == cli("report", "--source", url)[1].replace(store.shown, "STORE"))
    assert _derived(fresh_store) == _derived(store)


def _names_and_contents(store: RunStore):
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(schema.RUNS.c.name, schema.RUNS.c.content)))


def _derived(store: RunStore) -> tuple[list, list]:
    """The columns the upgrade backfills, per run and per result."""
    runs, results = schema.RUNS.c, schema.RESULTS.c
    with store.engine.connect() as conn:
        return (sorted(conn.execute(sa.select(runs.id, runs.context_key, runs.facts)).all()),
                sorted(conn.execute(sa.select(results.run_id, results.name, results.workload, results.jit,
                                              results.fp32)).all()))


def test_a_large_old_store_waits_for_the_upgrade_command(store_url, tmp_path, monkeypatch):
    url = old_store(store_url, tmp_path)
    monkeypatch.setattr(database, "AUTO_UPGRADE_RUNS", 4)
    with pytest.raises(StoreError, match=r"5 runs are too many to upgrade on the way: run `mpmodel store upgrade"):
        RunStore(url).runs()
    assert RunStore(url).revision() == migrate.BASELINE  # untouched
    monkeypatch.setattr(database, "AUTO_UPGRADE_RUNS", 5)
    store = RunStore(url)
    assert len(store.runs()) == 5 and store.upgraded == (migrate.BASELINE, migrate.head())


def test_an_upgrade_that_fails_half_way_leaves_the_store_as_it_was(store_url, tmp_path, monkeypatch):
    url = old_store(store_url, tmp_path)
    calls = []

    def breaks_on_the_third(bench):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("planted failure in the backfill")
        return real(bench)

    real = schema.result_columns
    monkeypatch.setattr(schema, "result_columns", breaks_on_the_third)
    with pytest.raises(RuntimeError, match="planted"):
        RunStore(url).create()
    monkeypatch.setattr(schema, "result_columns", real)
    store = RunStore(url)
    assert store.revision() == migrate.BASELINE
    with store.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("mpmodel_results")}
    assert "workload" not in columns
    store.create(upgrade=True)
    assert store.revision() == migrate.head() and len(store.runs()) == 5


def test_a_fresh_store_is_the_schema_this_release_declares(store_url):
    store = RunStore(store_url)
    store.create()
    assert store.revision() == migrate.head()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"version_table": schema.VERSION_TABLE}),
                                schema.METADATA)
    assert diff == []


def test_a_store_from_a_newer_release_is_refused_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    RunStore(url).create()
    with RunStore(url).engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0099'")
    with pytest.raises(StoreError, match="schema revision 0099, made by a newer mpmodel than this one"):
        RunStore(url).runs()


def test_the_upgrade_command_refuses_a_folder_and_says_when_nothing_is_to_do(tmp_path):
    assert main(["store", "upgrade", str(tmp_path)], out=io.StringIO()) == 2
    url = f"sqlite:///{tmp_path / 'h.db'}"
    RunStore(url).create()
    code, out = cli("store", "upgrade", url)
    assert code == 0 and f"already at schema revision {migrate.head()}, 0 runs" in out
