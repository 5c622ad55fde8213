"""`mpmodel report`: every run over time with lasting shifts; a plot and a page on request."""

from __future__ import annotations

from pathlib import Path

from mpmodel.history.cli.options import UsageProblem, add_format, add_source, add_thresholds, emit, thresholds
from mpmodel.history.page import write_html
from mpmodel.history.render_formats import report_json
from mpmodel.history.render_plot import PlotUnavailable, plot_history
from mpmodel.history.render_text import format_report
from mpmodel.history.shifts import find_shifts
from mpmodel.store.source import open_source

FORMATS = {"text": format_report, "json": report_json}


def add_parser(sub) -> None:
    r = sub.add_parser("report", help="table of saved runs over time, lasting shifts, optional plot")
    add_source(r)
    add_thresholds(r)
    r.add_argument("--plot", metavar="FILE.png", help="also draw speedup and step time over runs into a PNG")
    add_format(r, FORMATS, "text (default) or json for scripts")
    r.add_argument("--html", metavar="FILE.html", help="also write one self-contained page: matrix, history, plot, "
                                                      "shifts, gates")


def run(args, out) -> int:
    source = open_source(args.source)
    runs, skipped = source.need_runs()
    limits, note = thresholds(args, source, runs[-1])  # the noise of the machine as it is now
    shifts = find_shifts(runs, limits)
    emit(args, FORMATS, runs, shifts, skipped, note, out=out)
    if args.plot:
        try:
            print(f"plot: {plot_history(runs, shifts, args.plot)}", file=out)
        except PlotUnavailable as exc:
            raise UsageProblem(str(exc)) from None
    if args.html:
        print(f"page: {write_html(runs, shifts, limits, Path(args.html), source)}", file=out)
    return 0
