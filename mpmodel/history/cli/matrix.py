"""`mpmodel matrix`: the latest run of every context side by side, one-fact differences named."""

from __future__ import annotations

from mpmodel.history.cli.options import add_command, add_format, add_source, emit
from mpmodel.history.matrix import differences, matrix_rows
from mpmodel.history.render_matrix import FORMATS
from mpmodel.store.source import open_source


def add_parser(sub) -> None:
    m = add_command(sub, "matrix", "the latest run of every context side by side; one-fact differences named",
                    "The newest run of every context (device, driver, versions) side by side, and the pairs of "
                    "contexts that differ in one fact, named. Reads only.",
                    "mpmodel matrix --source postgresql+psycopg://ci@db/mp --format markdown")
    add_source(m)
    add_format(m, FORMATS, "text, markdown or json")


def run(args, out) -> int:
    source = open_source(args.source, read_only=True)
    latest = source.latest_per_context()  # a database selects these in SQL: one run per context is read
    if not latest:
        source.need_runs()  # says there is no readable run, and why
    rows = matrix_rows(latest)
    emit(args, FORMATS, rows, differences(rows), out=out)
    return 0
