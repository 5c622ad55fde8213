"""Each run the suite saves also goes into the history store (`--mp-history URL`, `MPMODEL_HISTORY`).

The JSON file pytest-benchmark writes stays the record: a store that is down or unreachable costs no
run. The session waits at most the store's connect timeout, then says in one line that the run is kept
in its file and how to add it later (`mpmodel ingest`). The URL's password is never shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mpmodel.store.runs import HistoryError
from mpmodel.store.source import open_source


def save_to_store(url: str, content: dict, kept_in: Path, say: Callable[[str], None]) -> bool:
    """Store the run just written to `kept_in`; True when it is in the store (new or stored before), else False
    with a line said."""
    try:
        store = open_source(url)
    except HistoryError as exc:
        say(f"mpmodel: history store not used: {exc}; the run is kept in {kept_in}")
        return False
    try:
        rid, added = store.save(content, name=kept_in.stem)
    except HistoryError as exc:
        say(f"mpmodel: history store: {exc}; the run is kept in {kept_in}; "
            f"`mpmodel ingest {kept_in} --source {store.shown}` adds it later")
        return False
    say(f"mpmodel: run {rid[:12]} {'saved in' if added else 'was already in'} the history store {store.shown}")
    return True
