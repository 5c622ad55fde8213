"""The store's schema revision, and bringing a store to this release's with Alembic (`mpmodel.store.migrations`).

A new store is made by running every revision from the first. A store made by mpmodel 0.2.0 or before has the
tables but no version table: it is at the baseline revision, stamped so, then upgraded in place with its new
columns backfilled from each run's saved content. Everything runs on the caller's connection, inside its
transaction: an upgrade lands whole or not at all, and a second writer waits for it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from mpmodel.store.schema import RUNS, VERSION_TABLE

BASELINE = "0001"  # the schema of mpmodel 0.2.0 and before
SCRIPTS = "mpmodel.store:migrations"


def _config(conn) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPTS)
    cfg.attributes["connection"] = conn
    return cfg


def head() -> str:
    """The revision this release writes."""
    return ScriptDirectory.from_config(_config(None)).get_current_head()


def known(rev: str) -> bool:
    """Whether this release knows the revision (a store made by a newer mpmodel is at one it does not)."""
    return rev in {s.revision for s in ScriptDirectory.from_config(_config(None)).walk_revisions()}


def revision(conn) -> str | None:
    """The store's revision on this connection: None for an empty database, BASELINE for tables made before
    revisions were recorded."""
    tables = set(sa.inspect(conn).get_table_names())
    if VERSION_TABLE in tables:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
    return BASELINE if RUNS.name in tables else None


def upgrade(conn) -> tuple[str | None, str]:
    """Bring the store on this connection to the head revision, in the caller's transaction; (before, after)."""
    before = revision(conn)
    cfg = _config(conn)
    if before == BASELINE and VERSION_TABLE not in set(sa.inspect(conn).get_table_names()):
        command.stamp(cfg, BASELINE)
    command.upgrade(cfg, "head")
    return before, head()
