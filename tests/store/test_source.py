"""The run sources: a folder reads every file (broken ones named and skipped), a database its summaries; both
resolve runs by number, name, latest and previous the same way, store a run once, and keep the calibration."""

import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import fresh_postgres
from mpmodel.history.cli import main
from mpmodel.store.baseline import NoBaseline
from mpmodel.store.runs import HistoryError
from mpmodel.store.source import DatabaseSource, FolderSource, open_source


def test_unreadable_files_are_named_and_skipped(storage):
    folder = next(p for p in storage.iterdir() if p.is_dir())
    real = sorted(folder.glob("*.json"))[0]
    (folder / "0100_truncated.json").write_text(real.read_text()[:500])
    (folder / "0101_other.json").write_text(json.dumps({"hello": 1}))
    (folder / "0102_binary.json").write_bytes(b"\x89PNG\x00\xff")
    runs, skipped = FolderSource(storage).runs()
    assert len(runs) == 3
    reasons = {p.name: why for p, why in skipped}
    assert reasons["0100_truncated.json"].startswith("not valid JSON")
    assert reasons["0101_other.json"] == "not a pytest-benchmark run (no 'benchmarks' list)"
    assert reasons["0102_binary.json"] == "not a text file"


def test_runs_resolve_by_file_number_latest_and_previous(storage, saved_runs):
    assert FolderSource(storage).resolve("latest").number == "0003"
    assert FolderSource(storage).resolve("previous").number == "0002"
    assert FolderSource(storage).resolve("0001").name == saved_runs[0].name
    assert FolderSource(storage).resolve(str(saved_runs[1].path)).number == "0002"
    with pytest.raises(HistoryError, match="no saved run numbered '0042'"):
        FolderSource(storage).resolve("0042")


def test_same_number_on_two_machines_is_ambiguous(storage):
    folder = next(p for p in storage.iterdir() if p.is_dir())
    shutil.copytree(folder, storage / "Other-Machine")
    with pytest.raises(HistoryError, match="ambiguous"):
        FolderSource(storage).resolve("0001")


def test_missing_storage_says_how_to_make_one(tmp_path):
    with pytest.raises(HistoryError, match="no such storage folder .*--benchmark-autosave"):
        FolderSource(tmp_path / "nowhere").files()


def test_previous_with_one_run_is_no_baseline_yet(tmp_path, saved_runs):
    shutil.copy(saved_runs[0].path, tmp_path / saved_runs[0].path.name)
    assert FolderSource(tmp_path).resolve("latest").number == "0001"
    with pytest.raises(NoBaseline, match=r"previous: no saved run on branch main before run 0001 in .*: no baseline yet"):
        FolderSource(tmp_path).resolve("previous")


def test_a_path_or_url_names_its_kind_of_source(tmp_path):
    assert isinstance(open_source(str(tmp_path)), FolderSource)
    assert open_source(f"file://{tmp_path}").root == tmp_path
    db = open_source(f"sqlite:///{tmp_path / 'h.db'}")
    assert isinstance(db, DatabaseSource) and db is open_source(f"sqlite:///{tmp_path / 'h.db'}")  # one engine
    with pytest.raises(HistoryError, match=r"^nope://: no driver for this URL") as info:
        open_source("nope://")
    assert "\n" not in str(info.value)


def test_every_source_holds_the_same_runs_and_names_them_alike(run_source, saved_runs):
    source = open_source(run_source)
    runs, skipped = source.runs()
    assert not skipped and [r.name for r in runs] == [r.name for r in saved_runs]
    assert [source.resolve(s).name for s in ("latest", "previous", "0001")] == [saved_runs[i].name for i in (2, 1, 0)]
    whole = source.whole(runs[0])  # a database lists summaries; the whole run has the per-round data
    assert whole.find("test_step_time", "float32").rounds == saved_runs[0].find("test_step_time", "float32").rounds
    assert source.resolve("0002").find("test_step_time", "float32").rounds  # a named run is read whole
    with pytest.raises(HistoryError, match=r"^0042: no such file, and no saved run numbered '0042' in "):
        source.resolve("0042")


def test_every_source_stores_a_run_once(run_source, saved_runs):
    source = open_source(run_source)
    content = json.loads(saved_runs[0].path.read_text())
    rid, added = source.save(content, name=saved_runs[0].path.stem)
    assert not added and len(rid) == 64  # the fixture's runs are in it already
    content["datetime"] = "2030-01-01T00:00:00+00:00"
    _, added = source.save(content, name="0004_later")
    assert added and source.resolve("latest").name == "0004_later"
    assert source.save(content, name="0004_later")[1] is False


def test_every_source_keeps_the_calibration_beside_its_runs(run_source):
    source = open_source(run_source)
    assert source.read_record("calibration")[0] is None
    where = source.write_record("calibration", {"series": {"a": 1}})
    record, kept = open_source(run_source).read_record("calibration")
    assert record == {"series": {"a": 1}} and kept == where


def test_a_database_file_named_as_a_folder_gets_the_url_to_use(tmp_path):
    db = tmp_path / "history.db"
    db.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(HistoryError, match=rf"^{db}: a file, not a folder of saved runs \(a SQLite history is sqlite:///{db}\)$"):
        open_source(str(db)).runs()


@pytest.fixture
def long_history(tmp_path, write_history):
    """Twelve real runs over two contexts (oneDNN on and off, four switches), as a folder, a SQLite store and a
    PostgreSQL store (where a server is given): what the SQL selections must answer as the folder does."""
    fixtures = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "runs").rglob("*.json"))
    order = [fixtures[i] for i in (0, 1, 2, 2, 0, 1, 0, 2, 2, 1, 0, 2)]  # 0 and 1 share a context, 2 is oneDNN off
    folder = tmp_path / "history"
    write_history(folder, order)
    return folder


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_selects_in_sql_what_the_folder_selects_in_python(long_history, kind, tmp_path):
    folder = FolderSource(long_history)
    url = fresh_postgres() if kind == "postgresql" else f"sqlite:///{tmp_path / 'h.db'}"
    assert main(["ingest", str(long_history), "--source", url], out=io.StringIO()) == 0
    database = open_source(url)
    for per_context in (None, 1, 3, 100):
        assert ([r.name for r in database.runs(per_context)[0]] == [r.name for r in folder.runs(per_context)[0]]), per_context
    assert [r.name[:4] for r in folder.runs(2)[0]] == ["0009", "0010", "0011", "0012"]  # each context's last 2
    latest = [(run.name, count) for run, count in database.latest_per_context()]
    assert latest == [(run.name, count) for run, count in folder.latest_per_context()]
    assert [(name[:4], count) for name, count in latest] == [("0011", 7), ("0012", 5)]
    assert all(run.find("test_step_time", "float32").rounds for run, _ in database.latest_per_context())  # whole
    for spec in ("latest", "previous", "0005"):
        assert database.resolve(spec).name == folder.resolve(spec).name
    rid = database.resolve("0005").store_id
    assert database.resolve(rid[:10]).name == folder.resolve("0005").name  # an id prefix, in a database only
