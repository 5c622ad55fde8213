"""`mpmodel ingest PATH...`: saved-run files into a source (a database, or a folder); each run is stored once."""

from __future__ import annotations

import json
from pathlib import Path

from mpmodel.history.cli.options import UsageProblem, add_command, add_format, add_source, emit
from mpmodel.store import HISTORY_ENV
from mpmodel.store.source import FolderSource, open_source, saved_file

FORMATS = {
    "text": lambda s: f"ingested {s['runs']} run(s) into {s['store']}: {s['added']} added, {s['stored_before']} stored before",
    "json": json.dumps,
}


def add_parser(sub) -> None:
    g = add_command(sub, "ingest", "add saved-run JSON files to a source (the history store); each run is stored once",
                    "Saved-run files (or folders of them) into a source; a run stored before is kept once.",
                    "mpmodel ingest .benchmarks --source sqlite:///history.db",
                    "0 done, 2 bad input (no saved-run files among PATH, a file that is no saved run), 130 "
                    "interrupted")
    g.add_argument("paths", nargs="+", metavar="PATH", help="saved-run files, or folders of them")
    add_format(g, FORMATS, "text (default) or json for scripts")
    add_source(g, default=None)


def _contents(files):
    """(content, name) of each file, read as it is stored: a file that is no saved run stops the ingest, naming it
    (the batches before it are stored; an ingest repeated adds only what is missing)."""
    for path in files:
        run_, content = saved_file(path)
        yield content, run_.path.stem


def run(args, out) -> int:
    if not args.source:
        raise UsageProblem(f"ingest needs --source PATH|URL (or ${HISTORY_ENV}): where the runs go")
    source = open_source(args.source)
    files = []
    for spec in args.paths:
        path = Path(spec)
        files += FolderSource(path).files() if path.is_dir() else [path]
    if not files:
        raise UsageProblem(f"{', '.join(args.paths)}: no saved-run files (*.json) to ingest")
    added, known = source.save_many(_contents(files))  # a database takes them in batches (COPY on PostgreSQL)
    emit(args, FORMATS, {"store": source.shown, "runs": len(files), "added": added, "stored_before": known}, out=out)
    return 0
