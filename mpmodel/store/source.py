"""Where runs live, behind one interface, named by a path or a URL as pytest-benchmark's `--benchmark-storage` is:

- a folder of pytest-benchmark files (`.benchmarks`, `file:///abs/path`): one subfolder per machine id;
- a database (`sqlite:///history.db`, `postgresql+psycopg://user@host/db`): `mpmodel.store.database`.

`open_source(spec)` picks one. Every source lists its runs oldest first (`runs`, summaries where the source
keeps them; with `per_context`, each context's last runs only), gives the latest run of each context whole
(`latest_per_context`), reads one whole (`whole`), names one by number, name, `latest`, a baseline chosen by
branch (`previous`, `baseline`, `branch:NAME`: `mpmodel.store.baseline`; and, in a database, an id prefix)
through the one `resolve` here, stores a run once however often it is given (`save`, `save_many`), and keeps
the A/A calibration beside the runs (`read_record` / `write_record`). A database answers each of these in SQL,
reading only what is shown. Unreadable runs are named and skipped, never fatal for a whole history.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from pathlib import Path
from typing import NamedTuple

from mpmodel.core.atomic import write_atomically
from mpmodel.store import baseline
from mpmodel.store.database import RunStore, StoreError
from mpmodel.store.runs import RECORD_PREFIX, HistoryError, SavedRun, load_run, parse_run, read_content, run_id
from mpmodel.store.schema import context_key, measured_facts

FILE_SCHEME = "file://"
RUN_NUMBER_DIGITS = 4  # pytest-benchmark numbers its saved runs 0001, 0002, ...
SAVE_A_BASELINE = "save a baseline first (pytest benchmarks/ --benchmark-autosave)"


class Entry(NamedTuple):
    """One run as naming it needs: its key in the source (a file, a stored id) and its name."""

    key: str
    name: str

    def named(self, spec: str) -> bool:
        """Whether `spec` names it: its number ('0003') or its whole name."""
        return self.name.split("_")[0] == spec or self.name == spec


class RunSource:
    """A place runs are read from and saved to."""

    shown: str  # as it may be printed: a database URL's password hidden

    def runs(self, per_context: int | None = None) -> tuple[list[SavedRun], list[tuple[Path, str]]]:
        """Every readable run (each context's last `per_context` where given), oldest first (summaries where the
        source keeps them), and (run, why) for each skipped."""
        raise NotImplementedError

    def latest_per_context(self) -> list[tuple[SavedRun, int]]:
        """The latest run of every context, whole, with how many runs the context holds; oldest first."""
        return [(self.whole(run), count) for run, count in latest_of_each_context(self.runs()[0])]

    def newest(self, n: int) -> list[Entry]:
        """The n newest runs, oldest first."""
        return self.index()[-n:]

    def newest_first(self):
        """(Entry, run summary) for every readable run, newest first, read as far as the caller goes: what a
        baseline is chosen from (mpmodel.store.baseline)."""
        raise NotImplementedError

    def named(self, spec: str) -> list[Entry]:
        """The runs `spec` names (a number, a name; in a database an id prefix too), oldest first."""
        return [e for e in self.index() if self.matches(e, spec)]

    def index(self) -> list[Entry]:
        """Every readable run as an Entry, oldest first: what `newest` and `named` search where the source has no
        index of its own (a database overrides both)."""
        raise NotImplementedError

    def load(self, entry: Entry) -> SavedRun:
        """One run, whole."""
        raise NotImplementedError

    def whole(self, run: SavedRun) -> SavedRun:
        """The run with everything it saved (per-round data), where `runs` gave a summary of it."""
        return run

    def save(self, content: dict, name: str) -> tuple[str, bool]:
        """Store one run (pytest-benchmark's JSON) once; (its id, whether it was new)."""
        raise NotImplementedError

    def save_many(self, named_contents) -> tuple[int, int]:
        """Store many (content, name) runs, each once; (added, stored before)."""
        added = known = 0
        for content, name in named_contents:
            _, new = self.save(content, name)
            added, known = added + new, known + (not new)
        return added, known

    def read_record(self, key: str) -> tuple[dict | None, str]:
        """(a record kept beside the runs, or None, where it is kept)."""
        raise NotImplementedError

    def write_record(self, key: str, record: dict) -> str:
        """Keep a record beside the runs, whole or not at all; where it is kept."""
        raise NotImplementedError

    def pytest_storage(self) -> Path | None:
        """The folder pytest-benchmark can save into directly (`--benchmark-storage`), None for a database."""
        return None

    def matches(self, entry: Entry, spec: str) -> bool:
        return entry.named(spec)

    def unreadable(self, spec: str) -> str | None:
        """Why a run named `spec` that is there cannot be used, where the source knows of one."""
        return None

    def need_runs(self, per_context: int | None = None) -> tuple[list[SavedRun], list[tuple[Path, str]]]:
        """`runs()`, with HistoryError where there is no readable run."""
        runs, skipped = self.runs(per_context)
        if not runs:
            raise HistoryError(f"{self.shown}: no readable saved runs" + (f" ({len(skipped)} skipped)" if skipped else ""))
        return runs, skipped

    def resolve(self, spec: str) -> SavedRun:
        """A run named by a file path, by number ("0003", or "3" as pytest-benchmark's users type it) or name,
        "latest", or a baseline selector ("previous", "baseline", "branch:NAME": mpmodel.store.baseline); only it is
        read whole."""
        if Path(spec).is_file() or spec.endswith(".json"):
            return load_run(spec)
        if spec.isdigit():
            spec = spec.zfill(RUN_NUMBER_DIGITS)
        if spec == "latest":
            newest = self.newest(1)
            if not newest:
                raise HistoryError(f"latest: {self.shown} holds no readable saved run; {SAVE_A_BASELINE}")
            return self.load(newest[0])
        if baseline.is_selector(spec):
            return self.load(baseline.pick(spec, self.newest_first(), self.shown))
        matches = self.named(spec)
        if len(matches) == 1:
            return self.load(matches[0])
        if not matches:
            raise HistoryError(self.unreadable(spec) or f"{spec}: no such file, and no saved run numbered {spec!r} "
                                                        f"in {self.shown}")
        raise HistoryError(f"{spec}: ambiguous in {self.shown}: " + ", ".join(e.name for e in matches[:5])
                           + ("" if len(matches) <= 5 else f" and {len(matches) - 5} more"))


class FolderSource(RunSource):
    """pytest-benchmark's storage folder: every `*.json` under it is a run, read whole."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.shown = str(self.root)

    def files(self) -> list[Path]:
        """Every saved-run candidate under the folder; HistoryError where there is no folder."""
        if self.root.is_file():
            raise HistoryError(f"{self.root}: a file, not a folder of saved runs (a SQLite history is "
                               f"sqlite:///{self.root})")
        if not self.root.is_dir():
            raise HistoryError(f"{self.root}: no such storage folder (run `pytest benchmarks/ --benchmark-autosave` "
                               "first, or pass --source)")
        return sorted(p for p in self.root.rglob("*.json") if not p.name.startswith(RECORD_PREFIX))

    @functools.cached_property
    def _read(self) -> tuple[list[SavedRun], list[tuple[Path, str]]]:
        runs, skipped = [], []
        for path in self.files():
            try:
                runs.append(load_run(path))
            except HistoryError as exc:
                skipped.append((path, str(exc).removeprefix(f"{path}: ")))
        runs.sort(key=lambda r: (r.when.timestamp(), str(r.path)))
        return runs, skipped

    def runs(self, per_context=None):
        runs, skipped = self._read
        return (runs if per_context is None else last_per_context(runs, per_context)), skipped

    def index(self):
        return [Entry(str(r.path), r.name) for r in self._read[0]]

    def newest_first(self):
        return ((Entry(str(r.path), r.name), r) for r in reversed(self._read[0]))

    def load(self, entry):
        return next(r for r in self._read[0] if str(r.path) == entry.key)

    def unreadable(self, spec):
        for path, why in self._read[1]:  # the run is there but cannot be read: say so, not "no such run"
            if Entry(str(path), path.stem).named(spec):
                return f"{spec}: {path} cannot be used: {why}"
        return None

    def save(self, content, name):
        rid = run_id(content)
        if self.root.is_dir() and any(_same_run(path, rid) for path in self.files()):
            return rid, False
        target = self.root / f"{name or rid[:12]}.json"
        if target.exists():
            target = self.root / f"{name}-{rid[:8]}.json"
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomically(target, lambda tmp: tmp.write_text(json.dumps(content, indent=4), encoding="utf-8"))
        self.__dict__.pop("_read", None)  # the next read sees it
        return rid, True

    def _record_path(self, key: str) -> Path:
        return self.root / f"{RECORD_PREFIX}{key}.json"  # the calibration: CALIBRATION_FILE

    def read_record(self, key):
        path = self._record_path(key)
        if not path.is_file():
            return None, str(path)
        try:
            return json.loads(path.read_text(encoding="utf-8")), str(path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HistoryError(f"{path}: unreadable {key} ({exc}); delete it or make it again") from None

    def write_record(self, key, record):
        self.root.mkdir(parents=True, exist_ok=True)
        path = write_atomically(self._record_path(key),
                                lambda tmp: tmp.write_text(json.dumps(record, indent=2), encoding="utf-8"))
        return str(path)

    def pytest_storage(self):
        return self.root


def context_of(run: SavedRun) -> str:
    """The key of the run's context, as the store keeps it: runs with the same measured facts share it."""
    return context_key(measured_facts(run.machine_info))


def latest_of_each_context(runs: list[SavedRun]) -> list[tuple[SavedRun, int]]:
    """The latest of the runs in each context, with how many the context holds; oldest first, as a database
    answers `latest_per_context`."""
    latest: dict[str, SavedRun] = {}
    counts: dict[str, int] = {}
    for run in sorted(runs, key=lambda r: r.when):
        key = context_of(run)
        latest[key], counts[key] = run, counts.get(key, 0) + 1
    return sorted(((run, counts[key]) for key, run in latest.items()), key=lambda rc: rc[0].when)


def last_per_context(runs: list[SavedRun], n: int) -> list[SavedRun]:
    """Each context's last n runs, in the order given."""
    kept, seen = [], {}
    for run in reversed(runs):
        key = context_of(run)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= n:
            kept.append(run)
    return kept[::-1]


def saved_file(path) -> tuple[SavedRun, dict]:
    """A run file named outside any source (to ingest, or just saved by pytest): the run and its JSON;
    HistoryError names a file that is no saved run."""
    return load_run(path), read_content(path)


def _same_run(path: Path, rid: str) -> bool:
    try:
        return run_id(read_content(path)) == rid
    except HistoryError:
        return False


class DatabaseSource(RunSource):
    """A history store (`RunStore`): runs listed from their summaries, one read whole only when it is needed."""

    def __init__(self, url: str, read_only: bool = False):
        try:
            self.store = RunStore(url, read_only=read_only)
        except StoreError as exc:
            raise HistoryError(str(exc)) from None
        self.shown = self.store.shown

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except StoreError as exc:
            raise HistoryError(str(exc)) from None

    def runs(self, per_context=None):
        rows = self._call(self.store.runs, False) if per_context is None else self._call(self.store.recent, per_context)
        runs, skipped = [], []
        for rid, name, content in rows:
            try:
                runs.append(dataclasses.replace(parse_run(Path(name), content), store_id=rid))
            except HistoryError as exc:
                skipped.append((Path(f"{name} (stored run {rid[:12]})"), str(exc)))
        runs.sort(key=lambda r: (r.when.timestamp(), str(r.path)))
        return runs, skipped

    def newest(self, n):
        return [Entry(rid, name) for rid, name in self._call(self.store.newest, n)]

    def named(self, spec):
        return [Entry(rid, name) for rid, name in self._call(self.store.named, spec)]

    def newest_first(self, first_page: int = 8, largest_page: int = 512):
        """Summaries a page at a time, each page twice the last: the usual baseline is the second run, a pull
        request's among the newest few dozen; a store's size costs only as many pages as the search needs."""
        offset, page = 0, first_page
        while rows := self._call(self.store.newest_summaries, page, offset):
            for rid, name, summary in rows:
                try:
                    yield Entry(rid, name), parse_run(Path(name), summary)
                except HistoryError:
                    continue  # an unreadable run is no baseline
            offset, page = offset + page, min(2 * page, largest_page)

    def latest_per_context(self):
        out = []
        for rid, name, content, count in self._call(self.store.latest_per_context):
            try:
                out.append((dataclasses.replace(parse_run(Path(name), content), store_id=rid), count))
            except HistoryError:
                continue  # an unreadable run: report names it; the matrix shows the contexts it can read
        return out

    def save_many(self, named_contents):
        return self._call(self.store.save_many, named_contents)

    def matches(self, entry, spec):
        return entry.named(spec) or (len(spec) >= 8 and entry.key.startswith(spec))

    def load(self, entry):
        content = self._call(self.store.run, entry.key)
        try:
            return dataclasses.replace(parse_run(Path(entry.name), content), store_id=entry.key)
        except HistoryError as exc:
            raise HistoryError(f"{entry.name} (stored run {entry.key[:12]}): {exc}") from None

    def whole(self, run):
        if run.store_id is None:
            return run
        return self.load(Entry(run.store_id, run.path.name))

    def save(self, content, name):
        return self._call(self.store.save, content, name)

    def read_record(self, key):
        return self._call(self.store.meta, key), f"{self.shown} ({key})"

    def write_record(self, key, record):
        self._call(self.store.put_meta, key, record)
        return f"{self.shown} ({key})"


def is_url(spec: str) -> bool:
    return "://" in str(spec)


_OPEN: dict[tuple[str, bool], DatabaseSource] = {}  # one engine (one connection pool) per URL, mode and process


def _database(url: str, read_only: bool) -> DatabaseSource:
    if (url, read_only) not in _OPEN:
        _OPEN[url, read_only] = DatabaseSource(url, read_only)
    return _OPEN[url, read_only]


def forget_sources() -> None:
    """Close the databases opened so far (a test that drops a store's tables opens it afresh)."""
    for source in list(_OPEN.values()):
        source.store.engine.dispose()
    _OPEN.clear()


def open_source(spec: str | Path, read_only: bool = False) -> RunSource:
    """The source a path or URL names: a folder (a path, `file://`), else a database URL; HistoryError in one line
    where it cannot be used. `read_only`: a database that is not there is that error, never made (the commands that
    only read)."""
    text = str(spec)
    if text.startswith(FILE_SCHEME):
        return FolderSource(Path(text.removeprefix(FILE_SCHEME)))
    if is_url(text):
        return _database(text, read_only)
    return FolderSource(Path(text))


def upgrade_store(url: str) -> dict:
    """Bring the database at `url` to this release's schema in place, keeping every run: the store (as it may be
    printed), its revision before and after, its runs and the seconds it took. HistoryError in one line where it
    cannot be done (a folder has no schema)."""
    if not is_url(url):
        raise HistoryError(f"{url!r} is not a database URL (e.g. sqlite:///history.db); a folder of saved runs has no "
                           "schema to upgrade")
    try:
        store = RunStore(url)
        before = store.revision()
        start = time.perf_counter()
        store.create(upgrade=True)
        return {"store": store.shown, "before": before, "after": store.revision(), "runs": store.count(),
                "seconds": time.perf_counter() - start}
    except StoreError as exc:
        raise HistoryError(str(exc)) from None


def shown(spec: str | Path) -> str:
    """A source as it may be printed (a database URL's password hidden), even where it cannot be opened."""
    try:
        return open_source(spec).shown
    except HistoryError:
        return "the history store" if is_url(str(spec)) else str(spec)
