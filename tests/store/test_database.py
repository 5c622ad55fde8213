"""The history store on SQLite and PostgreSQL: a run has one identity, a save is all or nothing,
8 writers at once lose and double nothing, a server that is down fails fast and never shows a password."""

import copy
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mpmodel.store import database
from mpmodel.store.database import RESULTS, RUNS, VERDICTS, RunStore, StoreError, run_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runs"


def fixture_runs() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(FIXTURES.rglob("*.json"))]


def rows(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_run_is_stored_whole_and_once(store_url):
    store = RunStore(store_url)
    runs = fixture_runs()
    assert [store.save(r, name=f"run{i}")[1] for i, r in enumerate(runs)] == [True] * len(runs)
    assert [store.save(r)[1] for r in runs] == [False] * len(runs)  # ingesting twice adds nothing
    stored = store.runs()
    assert [content for _, _, content in stored] == sorted(runs, key=lambda r: r["datetime"])
    assert [rid for rid, _, _ in stored] == [run_id(r) for r in sorted(runs, key=lambda r: r["datetime"])]
    assert rows(store, RESULTS) == sum(len(r["benchmarks"]) for r in runs)
    assert rows(store, VERDICTS) == sum(len((r.get("mpmodel") or {}).get("verdicts", [])) for r in runs)


def test_a_save_that_fails_half_way_leaves_no_partial_run(store_url, monkeypatch):
    store = RunStore(store_url)
    run = fixture_runs()[0]
    real_insert = database.insert

    def failing_insert(table):
        if table is RESULTS:
            raise RuntimeError("the writer died after the run's row")
        return real_insert(table)

    monkeypatch.setattr(database, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        store.save(run)
    monkeypatch.undo()
    assert rows(store, RUNS) == 0 and rows(store, RESULTS) == 0
    assert store.save(run)[1]  # and the same run saves whole afterwards


WRITER = """
import copy, json, sys
from mpmodel.store.database import RunStore
url, writer, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
base = json.load(open(path))
store = RunStore(url)
for i in range(count):
    run = copy.deepcopy(base)
    run["datetime"] = f"2026-11-28T{writer:02d}:{i:02d}:00+00:00"
    store.save(run, name=f"w{writer}-{i}")
"""


@pytest.mark.framework
def test_eight_writers_at_once_leave_every_run_once(store_url):
    path = sorted(FIXTURES.rglob("*.json"))[0]
    start = time.perf_counter()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, store_url, str(w), "20", str(path)],
                                stderr=subprocess.PIPE, text=True) for w in range(8)]
    errors = [(w.wait(timeout=300), w.stderr.read()) for w in writers]
    assert all(code == 0 for code, _ in errors), [e for _, e in errors if e][:1]
    store = RunStore(store_url)
    assert rows(store, RUNS) == 160 and len({rid for rid, _, _ in store.runs()}) == 160
    print(f"8 writers x 20 runs into {store_url.split(':')[0]}: {time.perf_counter() - start:.1f} s")


def test_the_same_run_from_two_writers_is_stored_once(store_url):
    run = fixture_runs()[0]
    a, b = RunStore(store_url), RunStore(store_url)
    assert a.save(run)[1] and not b.save(copy.deepcopy(run))[1]
    assert rows(a, RUNS) == 1


def test_a_server_that_is_down_fails_fast_naming_the_url_without_its_password():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'mpmodel[postgres]')")
    store = RunStore("postgresql+psycopg://suite:s3cret@127.0.0.1:9/history", connect_timeout=2)
    start = time.perf_counter()
    with pytest.raises(StoreError) as err:
        store.save(fixture_runs()[0])
    assert time.perf_counter() - start < 10
    message = str(err.value)
    assert message.startswith("postgresql+psycopg://suite:***@127.0.0.1:9/history: cannot open the store: OperationalError")
    assert "s3cret" not in message and "\n" not in message


@pytest.mark.parametrize("url, needle", [
    ("not a url", "'not a url' is not a database URL"),
    ("nosuchdb://host/x", "no driver for this URL"),
])
def test_a_bad_url_is_one_line(url, needle):
    with pytest.raises(StoreError, match=needle):
        RunStore(url)


def test_a_run_without_a_date_is_refused(tmp_path):
    with pytest.raises(StoreError, match="'datetime' is 'yesterday'"):
        RunStore(f"sqlite:///{tmp_path / 'h.db'}").save({"datetime": "yesterday", "benchmarks": []})


KILLED = """
import json, sys, time
from mpmodel.store import database
real = database.insert


def stalls_after_the_run_row(table):
    if table is database.RESULTS:
        print("run row inserted", flush=True)
        time.sleep(120)
    return real(table)


database.insert = stalls_after_the_run_row
database.RunStore(sys.argv[1]).save(json.load(open(sys.argv[2])))
"""


def test_a_writer_killed_mid_save_leaves_no_partial_run(store_url):
    path = sorted(FIXTURES.rglob("*.json"))[0]
    writer = subprocess.Popen([sys.executable, "-c", KILLED, store_url, str(path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "run row inserted"
    writer.kill()  # SIGKILL: no cleanup, no rollback by the writer itself
    writer.wait(timeout=30)
    store = RunStore(store_url)
    assert rows(store, RUNS) == 0 and rows(store, RESULTS) == 0
    assert store.save(json.loads(path.read_text()))[1]  # the store is usable, and the run saves whole


def stored_rows(store) -> tuple[list, list, list]:
    """Every row the store holds, but the time it was stored."""
    with store.engine.connect() as conn:
        runs = sorted(tuple(r)[:2] + tuple(r)[3:] for r in conn.execute(select(RUNS)))
        return runs, sorted(map(tuple, conn.execute(select(RESULTS)))), sorted(map(tuple, conn.execute(select(VERDICTS))))


def test_bulk_saving_stores_what_saving_one_at_a_time_stores(store_url):
    runs = fixture_runs()
    store = RunStore(store_url)
    named = [(r, f"run{i}") for i, r in enumerate(runs)]
    for content, name in named:
        store.save(content, name)
    one_by_one = stored_rows(store)
    with store.engine.begin() as conn:  # the same database emptied: then the same runs in bulk
        for table in (VERDICTS, RESULTS, RUNS):
            conn.execute(table.delete())
    assert store.save_many(named + named[:1], batch=2) == (3, 1)  # the same run twice in one call: once
    assert store.save_many(named, batch=2) == (0, 3)  # again: nothing added
    assert stored_rows(store) == one_by_one


def test_a_bulk_batch_that_fails_leaves_the_batches_before_it_whole(store_url, monkeypatch):
    runs = [dict(copy.deepcopy(fixture_runs()[i % 3]), datetime=f"2026-01-{i + 1:02d}T00:00:00+00:00") for i in range(5)]
    store = RunStore(store_url)
    real = database._bulk_insert
    calls = []

    def fails_on_the_third_batch(conn, table, rows_):
        if table is RESULTS:
            calls.append(1)
            if len(calls) == 3:
                raise database.SQLAlchemyError("planted failure")
        real(conn, table, rows_)

    monkeypatch.setattr(database, "_bulk_insert", fails_on_the_third_batch)
    with pytest.raises(StoreError, match="cannot save the runs: SQLAlchemyError: planted failure"):
        store.save_many(((r, f"r{i}") for i, r in enumerate(runs)), batch=2)
    assert rows(store, RUNS) == 4 and rows(store, RESULTS) == sum(len(r["benchmarks"]) for r in runs[:4])
    monkeypatch.setattr(database, "_bulk_insert", real)
    assert store.save_many(((r, f"r{i}") for i, r in enumerate(runs)), batch=2) == (1, 4)
