"""Saved runs in a database: one table of runs, one of their results, one of their gate verdicts, and one of
records kept beside them (the A/A calibration).

`RunStore(url).save(content)` stores a run as pytest-benchmark wrote it (with the plugin's section), in
one transaction: a writer killed mid-save leaves nothing, and a run saved twice (an ingest repeated,
two writers racing) is stored once, since its id is a hash of its content. `runs()` reads them back in
time order. A URL's password is never shown: `shown` hides it, and every error names the URL that way.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from mpmodel.measure.context import describe, label
from mpmodel.store.runs import HistoryError, parse_time, run_id, test_of

CONNECT_TIMEOUT_S = 5  # a database that does not answer costs the run this long, never a hang
SQLITE_BUSY_S = 60  # how long a SQLite writer waits for another's lock
SCHEMA_LOCK = 7_301_961  # PostgreSQL advisory lock: writers starting at once create the tables one at a time

METADATA = MetaData()
RUNS = Table(
    "mpmodel_runs", METADATA,
    Column("id", String(64), primary_key=True),  # sha256 of the run's canonical JSON
    Column("saved_at", DateTime(timezone=True), nullable=False),  # the run's own datetime
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("name", String(255), nullable=False),  # the file name pytest-benchmark gave it, where it had one
    Column("commit_id", String(64)),
    Column("context", Text, nullable=False),  # the facts that make runs comparable, as one label
    Column("host", String(255)),
    Column("content", Text, nullable=False),  # the whole run, as pytest-benchmark wrote it
    Column("summary", Text, nullable=False),  # the run without its per-round data: what a history of thousands reads
)
RESULTS = Table(
    "mpmodel_results", METADATA,
    Column("run_id", String(64), ForeignKey("mpmodel_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("test", String(64), nullable=False),
    Column("policy", String(64)),
    Column("median_s", Float),
    Column("rounds", Text),  # per-round times, JSON
    Column("extra_info", Text),  # JSON
)
META = Table(  # records kept beside the runs, by name: the A/A calibration
    "mpmodel_meta", METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
VERDICTS = Table(
    "mpmodel_verdicts", METADATA,
    Column("run_id", String(64), ForeignKey("mpmodel_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("test", String(512), primary_key=True),
    Column("outcome", String(16), nullable=False),
    Column("message", Text),
)


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

    def __init__(self, url: str, connect_timeout: float = CONNECT_TIMEOUT_S):
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError(f"{url!r} is not a database URL (e.g. sqlite:///history.db, "
                             "postgresql+psycopg://user@host/db)") from None
        self.shown = parsed.render_as_string(hide_password=True)
        sqlite = parsed.get_backend_name() == "sqlite"
        args = {"timeout": SQLITE_BUSY_S} if sqlite else {"connect_timeout": int(connect_timeout)}
        try:
            self.engine = create_engine(parsed, connect_args=args, pool_pre_ping=True)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise StoreError(f"{self.shown}: no driver for this URL ({exc}); for PostgreSQL install "
                             "'mpmodel[postgres]'") from None
        if sqlite:
            _sqlite_writes_take_the_lock_first(self.engine)
        self._ready = False

    def _fail(self, what: str, exc: Exception) -> StoreError:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return StoreError(f"{self.shown}: {what}: {type(exc).__name__}: {cause[0] if cause else ''}"[:400])

    def create(self) -> None:
        """The tables, where they are missing; writers starting at once take turns."""
        if self._ready:
            return
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                METADATA.create_all(conn)
        except SQLAlchemyError as exc:
            raise self._fail("cannot open the store", exc) from None
        self._ready = True

    def save(self, content: dict, name: str = "") -> tuple[str, bool]:
        """Store one run whole, in one transaction; (its id, whether it was new)."""
        self.create()
        rid = run_id(content)
        facts = describe(content.get("machine_info") or {})
        mp = content.get("mpmodel") or {}
        row = {"id": rid, "saved_at": _when(content), "stored_at": datetime.now(timezone.utc), "name": name or rid[:12],
               "commit_id": (content.get("commit_info") or {}).get("id"), "context": label(facts),
               "host": facts.get("host"), "content": json.dumps(content), "summary": json.dumps(summary_of(content))}
        results = [{"run_id": rid, "name": b["name"], "test": test_of(b["name"]),
                    "policy": (b.get("extra_info") or {}).get("policy"),
                    "median_s": (b.get("stats") or {}).get("median"),
                    "rounds": json.dumps((b.get("stats") or {}).get("data") or []),
                    "extra_info": json.dumps(b.get("extra_info") or {})} for b in content.get("benchmarks", [])]
        verdicts = [{"run_id": rid, "test": v.get("test"), "outcome": v.get("outcome"), "message": v.get("message")}
                    for v in mp.get("verdicts", []) if v.get("test")]
        try:
            with self.engine.begin() as conn:
                added = conn.execute(_insert_new(conn, row).returning(RUNS.c.id)).first() is not None
                if added:
                    if results:
                        conn.execute(insert(RESULTS), results)
                    if verdicts:
                        conn.execute(insert(VERDICTS), verdicts)
        except SQLAlchemyError as exc:
            raise self._fail("cannot save the run", exc) from None
        return rid, added

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

    def index(self) -> list[tuple[str, str]]:
        """Every stored run as (id, name), oldest first: what naming a run needs, without reading any."""
        self.create()
        try:
            with self.engine.connect() as conn:
                return [tuple(r) for r in conn.execute(select(RUNS.c.id, RUNS.c.name).order_by(RUNS.c.saved_at, RUNS.c.id))]
        except SQLAlchemyError as exc:
            raise self._fail("cannot list the runs", exc) from None

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


def _insert_new(conn, row: dict):
    """INSERT that does nothing where the id is stored already (a repeated save, a racing writer)."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(RUNS).values(**row).on_conflict_do_nothing(index_elements=["id"])


def _sqlite_writes_take_the_lock_first(engine) -> None:
    """SQLite: BEGIN IMMEDIATE, so a writer waits for the lock up front instead of failing half way
    (SQLAlchemy's documented recipe for pysqlite's transaction handling)."""

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
