"""`mpmodel store upgrade URL`: bring a history store made by an earlier release to this release's schema, in
place, keeping every run (its new columns backfilled from what each run saved). A store of up to a few thousand
runs upgrades by itself the first time this release opens it; a fleet's store waits for this command."""

from __future__ import annotations

import json
import time

from mpmodel.history.cli.options import UsageProblem, add_format, emit
from mpmodel.store.database import RunStore, StoreError
from mpmodel.store.source import is_url

FORMATS = {
    "text": lambda s: (f"{s['store']}: schema revision {s['before'] or 'none'} -> {s['after']}, {s['runs']} runs kept"
                       f" ({s['seconds']:.1f} s)" if s["before"] != s["after"] else
                       f"{s['store']}: already at schema revision {s['after']}, {s['runs']} runs"),
    "json": json.dumps,
}


def add_parser(sub) -> None:
    s = sub.add_parser("store", help="the history database itself: upgrade it to this release's schema in place")
    s.add_argument("action", choices=["upgrade"], help="upgrade: bring the store to this release's schema, keeping every run")
    s.add_argument("url", metavar="URL", help="the store: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
    add_format(s, FORMATS, "text (default) or json for scripts")


def run(args, out) -> int:
    if not is_url(args.url):
        raise UsageProblem(f"{args.url!r} is not a database URL (e.g. sqlite:///history.db); a folder of saved runs "
                           "has no schema to upgrade")
    try:
        store = RunStore(args.url)
        before = store.revision()
        t0 = time.perf_counter()
        store.create(upgrade=True)
        seconds = time.perf_counter() - t0
        summary = {"store": store.shown, "before": before, "after": store.revision(), "runs": store.count(),
                   "seconds": seconds}
    except StoreError as exc:
        raise UsageProblem(str(exc)) from None
    emit(args, FORMATS, summary, out=out)
    return 0
