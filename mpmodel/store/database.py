"""Saved runs in a database: one table of runs, one of their results, one of their gate verdicts, and one of
records kept beside them (the A/A calibration); the tables are `mpmodel.store.schema`'s.

`RunStore(url).save(content)` stores a run as pytest-benchmark wrote it (with the plugin's section), in
one transaction: a writer killed mid-save leaves nothing, and a run saved twice (an ingest repeated,
two writers racing) is stored once, since its id is a hash of its content. `save_many` does the same for
thousands of runs at a time (batched; COPY on PostgreSQL). The history commands select in SQL what they show:
the latest run of each context (`latest_per_context`), each context's last runs (`recent`), the newest runs
(`newest`), a run by number, name or id prefix (`named`), each through an index. A URL's password is never
shown: `shown` hides it, and every error names the URL that way.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from mpmodel.store import migrate
from mpmodel.store.runs import HistoryError, parse_time, run_id
from mpmodel.store.schema import META, RESULTS, RUNS, VERDICTS, result_columns, run_columns

CONNECT_TIMEOUT_S = 5  # a database that does not answer costs the run this long, never a hang
SQLITE_BUSY_S = 60  # how long a SQLite writer waits for another's lock
SCHEMA_LOCK = 7_301_961  # PostgreSQL advisory lock: writers starting at once create or upgrade the tables one at a time
AUTO_UPGRADE_RUNS = 5_000  # a store made by an earlier release upgrades by itself up to this size (seconds of backfill)
NOTHING_SAVED = ("nothing has been saved there: a run saves into it with --mp-history URL, `mpmodel ingest` adds "
                 "saved runs")  # why a read finds no store
BULK_BATCH = 500  # runs per transaction in save_many


class StoreError(Exception):
    """The store cannot be used; the message is one line naming the URL (password hidden) and the cause."""


SUMMARY_LIST_MAX = 8  # longer lists (per-round times, per-pair times) stay in the full content only


SUMMARY_MACHINE_INFO = ("mpmodel", "node", "release", "python_version")  # what describe() reads
SUMMARY_STATS = ("median", "min", "max", "rounds", "iterations")
SUMMARY_TEXT_MAX = 200  # longer texts (a gate's message) stay in the full content; the verdicts keep theirs


def summary_of(content: dict) -> dict:
    """The run as report and matrix read it by the thousand: its date, commit, the machine facts that name its
    context, the policies whose step crawled there, and every benchmark's stats without per-round data and its
    extra_info without long lists or nested records (device-state samples)."""
    def small(v) -> bool:
        return not isinstance(v, dict) and not (isinstance(v, list) and len(v) > SUMMARY_LIST_MAX) and \
            not (isinstance(v, str) and len(v) > SUMMARY_TEXT_MAX)

    machine = content.get("machine_info") or {}
    crawling = (content.get("mpmodel") or {}).get("crawling") or []
    return {
        "datetime": content.get("datetime"), "commit_info": content.get("commit_info"),
        "mpmodel": {"crawling": crawling},  # a few policies at most: report shows them
        "machine_info": {k: machine[k] for k in SUMMARY_MACHINE_INFO if k in machine},
        "benchmarks": [{"name": b.get("name"),
                        "stats": {k: v for k, v in (b.get("stats") or {}).items() if k in SUMMARY_STATS},
                        "extra_info": {k: v for k, v in (b.get("extra_info") or {}).items() if small(v)}}
                       for b in content.get("benchmarks", [])],
    }


def _when(content: dict) -> datetime:
    try:
        when = parse_time(content.get("datetime"))
    except HistoryError as exc:
        raise StoreError(f"the run's {exc}") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class RunStore:
    """A database of saved runs behind a SQLAlchemy URL."""

    def __init__(self, url: str, connect_timeout: float = CONNECT_TIMEOUT_S, read_only: bool = False):
        """`read_only`: a store that is not there is an error, never made (a SQLite file, or the tables)."""
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError(f"{url!r} is not a database URL (e.g. sqlite:///history.db, "
                             "postgresql+psycopg://user@host/db)") from None
        self.shown = parsed.render_as_string(hide_password=True)
        self.read_only = read_only
        sqlite = parsed.get_backend_name() == "sqlite"
        if read_only and sqlite and parsed.database not in (None, "", ":memory:") and not os.path.exists(parsed.database):
            raise StoreError(f"{self.shown}: no such database file ({NOTHING_SAVED})")
        args = {"timeout": SQLITE_BUSY_S} if sqlite else {"connect_timeout": int(connect_timeout)}
        try:
            self.engine = create_engine(parsed, connect_args=args, pool_pre_ping=True)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise StoreError(f"{self.shown}: no driver for this URL ({exc}); for PostgreSQL install "
                             "'mpmodel[postgres]'") from None
        if sqlite:
            _sqlite_writes_take_the_lock_first(self.engine)
        self._ready = False
        self.upgraded: tuple[str | None, str] | None = None  # (revision before, after) where create() upgraded

    def _fail(self, what: str, exc: Exception) -> StoreError:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return StoreError(f"{self.shown}: {what}: {type(exc).__name__}: {cause[0] if cause else ''}"[:400])

    def create(self, upgrade: bool = False) -> None:
        """The tables at this release's schema: made where the database is empty, upgraded in place where an
        earlier release made them (by itself up to AUTO_UPGRADE_RUNS runs, or when `upgrade` is asked); writers
        starting at once take turns."""
        if self._ready:
            return
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                self.upgraded = self._bring_to_head(conn, upgrade)
        except SQLAlchemyError as exc:
            raise self._fail("cannot open the store", exc) from None
        self._ready = True

    def _bring_to_head(self, conn, upgrade: bool) -> tuple[str | None, str] | None:
        current, head = migrate.revision(conn), migrate.head()
        if current == head:
            return None
        if current is None and self.read_only:
            raise StoreError(f"{self.shown}: holds no mpmodel history ({NOTHING_SAVED})")
        if current is not None and not migrate.known(current):
            raise StoreError(f"{self.shown}: the store is at schema revision {current}, made by a newer mpmodel than "
                             f"this one (revision {head}): upgrade mpmodel")
        if current is not None and not upgrade:
            runs = conn.execute(select(func.count()).select_from(RUNS)).scalar_one()
            if runs > AUTO_UPGRADE_RUNS:
                raise StoreError(f"{self.shown}: the store is at schema revision {current} and this mpmodel needs "
                                 f"{head}; {runs} runs are too many to upgrade on the way: run `mpmodel store upgrade "
                                 f"{self.shown}` once (it keeps every run)")
        return migrate.upgrade(conn)

    def revision(self) -> str | None:
        """The store's schema revision as it is now (None: no tables yet), without changing it."""
        try:
            with self.engine.connect() as conn:
                return migrate.revision(conn)
        except SQLAlchemyError as exc:
            raise self._fail("cannot open the store", exc) from None

    def _rows(self, content: dict, name: str) -> tuple[dict, list[dict], list[dict]]:
        """A run's row, its results' rows and its verdicts' rows, with the indexed columns derived."""
        rid = run_id(content)
        mp = content.get("mpmodel") or {}
        row = {"id": rid, "saved_at": _when(content), "stored_at": datetime.now(timezone.utc), "name": name or rid[:12],
               "commit_id": (content.get("commit_info") or {}).get("id"), **run_columns(content),
               "content": json.dumps(content), "summary": json.dumps(summary_of(content))}
        results = [{"run_id": rid, "name": b["name"], **result_columns(b),
                    "median_s": (b.get("stats") or {}).get("median"),
                    "rounds": json.dumps((b.get("stats") or {}).get("data") or []),
                    "extra_info": json.dumps(b.get("extra_info") or {})} for b in content.get("benchmarks", [])]
        verdicts = [{"run_id": rid, "test": v.get("test"), "outcome": v.get("outcome"), "message": v.get("message")}
                    for v in mp.get("verdicts", []) if v.get("test")]
        return row, results, verdicts

    def save(self, content: dict, name: str = "") -> tuple[str, bool]:
        """Store one run whole, in one transaction; (its id, whether it was new)."""
        self.create()
        row, results, verdicts = self._rows(content, name)
        try:
            with self.engine.begin() as conn:
                added = conn.execute(_insert_new(conn, [row]).returning(RUNS.c.id)).first() is not None
                if added:
                    if results:
                        conn.execute(insert(RESULTS), results)
                    if verdicts:
                        conn.execute(insert(VERDICTS), verdicts)
        except SQLAlchemyError as exc:
            raise self._fail("cannot save the run", exc) from None
        return row["id"], added

    def save_many(self, named_contents, batch: int = BULK_BATCH) -> tuple[int, int]:
        """Store many runs, `batch` to a transaction, each once however often given (an ingest repeated, a racing
        writer): the runs' rows go in with one statement, their results and verdicts after them (COPY on
        PostgreSQL). (added, stored before). A batch lands whole or not at all."""
        self.create()
        added = known = 0
        chunk: list[tuple[dict, list[dict], list[dict]]] = []
        for content, name in named_contents:
            chunk.append(self._rows(content, name))
            if len(chunk) >= batch:
                a, k = self._save_chunk(chunk)
                added, known, chunk = added + a, known + k, []
        if chunk:
            a, k = self._save_chunk(chunk)
            added, known = added + a, known + k
        return added, known

    def _save_chunk(self, chunk) -> tuple[int, int]:
        rows = {row["id"]: (row, results, verdicts) for row, results, verdicts in chunk}  # the same run twice: once
        try:
            with self.engine.begin() as conn:
                new = set(conn.execute(_insert_new(conn, [r for r, _, _ in rows.values()]).returning(RUNS.c.id)).scalars())
                results = [r for rid in new for r in rows[rid][1]]
                verdicts = [v for rid in new for v in rows[rid][2]]
                _bulk_insert(conn, RESULTS, results)
                _bulk_insert(conn, VERDICTS, verdicts)
        except SQLAlchemyError as exc:
            raise self._fail("cannot save the runs", exc) from None
        return len(new), len(chunk) - len(new)

    def runs(self, full: bool = True) -> list[tuple[str, str, dict]]:
        """Every stored run as (id, name, content), oldest first; with `full=False` their summaries
        (`summary_of`), a tenth of the size."""
        self.create()
        column = RUNS.c.content if full else RUNS.c.summary
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(select(RUNS.c.id, RUNS.c.name, column).order_by(RUNS.c.saved_at, RUNS.c.id))
                return [(rid, name, json.loads(content)) for rid, name, content in rows]
        except SQLAlchemyError as exc:
            raise self._fail("cannot read the runs", exc) from None

    def _select(self, query, what: str) -> list:
        self.create()
        try:
            with self.engine.connect() as conn:
                return list(conn.execute(query))
        except SQLAlchemyError as exc:
            raise self._fail(f"cannot read {what}", exc) from None

    def newest(self, n: int) -> list[tuple[str, str]]:
        """The n newest runs as (id, name), oldest first: `latest` and `previous` without listing the rest."""
        rows = self._select(select(RUNS.c.id, RUNS.c.name).order_by(RUNS.c.saved_at.desc(), RUNS.c.id.desc()).limit(n),
                            "the newest runs")
        return [tuple(r) for r in reversed(rows)]

    def newest_summaries(self, limit: int, offset: int = 0) -> list[tuple[str, str, dict]]:
        """Runs as (id, name, summary), newest first, `limit` of them after the `offset` newest: a baseline's search
        pages through the store from its newest run and stops at the first that qualifies."""
        rows = self._select(select(RUNS.c.id, RUNS.c.name, RUNS.c.summary)
                            .order_by(RUNS.c.saved_at.desc(), RUNS.c.id.desc()).limit(limit).offset(offset),
                            "the newest runs")
        return [(rid, name, json.loads(summary)) for rid, name, summary in rows]

    def named(self, spec: str, limit: int = 50) -> list[tuple[str, str]]:
        """Runs a number ('0003'), a whole name or (8 characters or more) an id prefix names, as (id, name), oldest
        first, at most `limit`."""
        escaped = spec.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        match = (RUNS.c.name == spec) | RUNS.c.name.like(f"{escaped}\\_%", escape="\\")
        if len(spec) >= 8:
            match = match | RUNS.c.id.like(f"{escaped}%", escape="\\")
        rows = self._select(select(RUNS.c.id, RUNS.c.name).where(match).order_by(RUNS.c.saved_at, RUNS.c.id)
                            .limit(limit), f"the runs named {spec!r}")
        return [tuple(r) for r in rows if r[1] == spec or r[1].split("_")[0] == spec or r[0].startswith(spec)]

    def _per_context(self, columns, per_context: int, what: str) -> list[tuple[tuple, int]]:
        """Each context's last `per_context` runs (the given columns, then saved_at and id) with the context's size:
        one GROUP BY over the (context_key, saved_at) index, then one indexed range per context, newest first; a
        store's size costs a count, never a scan of the runs."""
        self.create()
        order = (RUNS.c.saved_at.desc(), RUNS.c.id.desc())
        out = []
        try:
            with self.engine.connect() as conn:
                contexts = conn.execute(select(RUNS.c.context_key, func.count()).group_by(RUNS.c.context_key)).all()
                for key, size in contexts:
                    same = RUNS.c.context_key.is_(None) if key is None else RUNS.c.context_key == key
                    rows = conn.execute(select(*columns, RUNS.c.saved_at, RUNS.c.id).where(same).order_by(*order)
                                        .limit(per_context))
                    out += [(tuple(row), size) for row in rows]
        except SQLAlchemyError as exc:
            raise self._fail(f"cannot read {what}", exc) from None
        out.sort(key=lambda row_size: (row_size[0][-2], row_size[0][-1]))  # oldest first, across contexts
        return out

    def latest_per_context(self) -> list[tuple[str, str, dict, int]]:
        """The latest run of every context, whole, as (id, name, content, how many runs the context holds), oldest
        first."""
        rows = self._per_context((RUNS.c.id, RUNS.c.name, RUNS.c.content), 1, "the latest run of each context")
        return [(row[0], row[1], json.loads(row[2]), size) for row, size in rows]

    def recent(self, per_context: int) -> list[tuple[str, str, dict]]:
        """Each context's last `per_context` runs as (id, name, summary), oldest first: what report and its page
        read, whatever the size of the store."""
        rows = self._per_context((RUNS.c.id, RUNS.c.name, RUNS.c.summary), per_context,
                                 f"each context's last {per_context} runs")
        return [(row[0], row[1], json.loads(row[2])) for row, _ in rows]

    def run(self, rid: str) -> dict:
        """One stored run, whole."""
        self.create()
        try:
            with self.engine.connect() as conn:
                content = conn.execute(select(RUNS.c.content).where(RUNS.c.id == rid)).scalar_one_or_none()
        except SQLAlchemyError as exc:
            raise self._fail("cannot read the run", exc) from None
        if content is None:
            raise StoreError(f"{self.shown}: no stored run {rid[:12]}")
        return json.loads(content)

    def meta(self, key: str) -> dict | None:
        """A record kept beside the runs (`put_meta`), None where there is none."""
        self.create()
        try:
            with self.engine.connect() as conn:
                value = conn.execute(select(META.c.value).where(META.c.key == key)).scalar_one_or_none()
        except SQLAlchemyError as exc:
            raise self._fail(f"cannot read the {key}", exc) from None
        return None if value is None else json.loads(value)

    def put_meta(self, key: str, record: dict) -> None:
        """Keep a record beside the runs under `key`, replacing the one before, in one transaction."""
        self.create()
        try:
            with self.engine.begin() as conn:
                conn.execute(META.delete().where(META.c.key == key))
                conn.execute(insert(META), {"key": key, "value": json.dumps(record),
                                            "updated_at": datetime.now(timezone.utc)})
        except SQLAlchemyError as exc:
            raise self._fail(f"cannot save the {key}", exc) from None

    def count(self) -> int:
        self.create()
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(RUNS)).scalar_one()


def _insert_new(conn, rows: list[dict]):
    """INSERT of run rows that does nothing where an id is stored already (a repeated save, a racing writer)."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(RUNS).values(rows).on_conflict_do_nothing(index_elements=["id"])


def _bulk_insert(conn, table, rows: list[dict]) -> None:
    """Rows of a run just inserted in this transaction (so none is there yet): COPY on PostgreSQL, else one
    executemany."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    names = [c.name for c in table.columns]
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(n) for n in names])


def _sqlite_writes_take_the_lock_first(engine) -> None:
    """SQLite: BEGIN IMMEDIATE, so a writer waits for the lock up front instead of failing half way
    (SQLAlchemy's documented recipe for pysqlite's transaction handling)."""

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
