"""`mpmodel report`: the runs over time with lasting shifts; a plot and a page on request.

It reads each context's last `--window` runs (a database selects them in SQL), searches each series' last
`--window` of them for lasting shifts, and shows the last `--last` in its table: the time it takes follows what it
shows, not the store's size.
"""

from __future__ import annotations

from pathlib import Path

from mpmodel.history.cli.options import (
    UsageProblem,
    add_command,
    add_format,
    add_source,
    add_thresholds,
    emit,
    positive_int,
    thresholds,
)
from mpmodel.history.page import write_html
from mpmodel.history.render_formats import report_json, report_markdown
from mpmodel.history.render_plot import PlotUnavailable, plot_history
from mpmodel.history.render_text import format_report
from mpmodel.history.shifts import find_shifts
from mpmodel.store.source import open_source

FORMATS = {"text": format_report, "markdown": report_markdown, "json": report_json}
WINDOW = 200  # runs per context: a lasting shift needs a few; a fleet's years of runs stay in the store
LAST = 40  # runs in the text table


def add_parser(sub) -> None:
    r = add_command(sub, "report", "table of saved runs over time, lasting shifts, optional plot",
                    "Each context's last --window runs as a table (the newest --last), the lasting shifts among them, "
                    "and on request a plot and a page. Reads only: a store that is not there is an error.",
                    "mpmodel report --last 10 --plot .benchmarks/history.png")
    add_source(r)
    add_thresholds(r)
    r.add_argument("--plot", metavar="FILE.png", help="also draw speedup and step time over runs into a PNG")
    add_format(r, FORMATS, "text (default), markdown for a job summary or a comment, json for scripts")
    r.add_argument("--window", type=positive_int, default=WINDOW, metavar="N",
                   help=f"runs read per context, and per series searched for lasting shifts (default {WINDOW})")
    r.add_argument("--last", type=positive_int, default=LAST, metavar="N",
                   help=f"runs shown in the table, the newest (default {LAST}); the plot and JSON show the whole window")
    r.add_argument("--html", metavar="FILE.html", help="also write one self-contained page: matrix, history, plot, "
                                                      "shifts, gates")


def run(args, out) -> int:
    source = open_source(args.source, read_only=True)
    runs, skipped = source.need_runs(per_context=args.window)
    limits, note = thresholds(args, source, runs[-1])  # the noise of the machine as it is now
    shifts = find_shifts(runs, limits, window=args.window)  # each series' last --window runs
    emit(args, FORMATS, runs, shifts, skipped, note, *(() if args.format == "json" else (args.last,)), out=out)
    if args.plot:
        try:
            print(f"plot: {plot_history(runs, shifts, args.plot)}", file=out)
        except PlotUnavailable as exc:
            raise UsageProblem(str(exc)) from None
    if args.html:
        print(f"page: {write_html(runs, shifts, limits, Path(args.html), source)}", file=out)
    return 0
