"""`mpmodel store upgrade URL`: bring a history store made by an earlier release to this release's schema, in
place, keeping every run (its new columns backfilled from what each run saved). A store of up to a few thousand
runs upgrades by itself the first time this release opens it; a fleet's store waits for this command."""

from __future__ import annotations

import json

from mpmodel.history.cli.options import add_command, add_format, emit
from mpmodel.store.source import upgrade_store

FORMATS = {
    "text": lambda s: (f"{s['store']}: schema revision {s['before'] or 'none'} -> {s['after']}, {s['runs']} runs kept"
                       f" ({s['seconds']:.1f} s)" if s["before"] != s["after"] else
                       f"{s['store']}: already at schema revision {s['after']}, {s['runs']} runs"),
    "json": json.dumps,
}


def add_parser(sub) -> None:
    s = add_command(sub, "store", "the history database itself: upgrade it to this release's schema in place",
                    "Bring a history database an earlier release made to this release's schema, in place, every run "
                    "kept (its new columns backfilled from what each run saved).",
                    "mpmodel store upgrade postgresql+psycopg://ci@db/mp",
                    "0 done (or already current), 2 bad input or a store that cannot be upgraded, 130 interrupted")
    s.add_argument("action", choices=["upgrade"], help="upgrade: bring the store to this release's schema, keeping every run")
    s.add_argument("url", metavar="URL", help="the store: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
    add_format(s, FORMATS, "text (default) or json for scripts")


def run(args, out) -> int:
    emit(args, FORMATS, upgrade_store(args.url), out=out)
    return 0
