"""The report page assembled: the matrix of each context's latest run (read whole from the source), a plot per
context (left out, and said so, without matplotlib), the history and the shifts, written atomically."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mpmodel.core.atomic import write_atomically
from mpmodel.history.comparison import Thresholds
from mpmodel.history.matrix import context_of, differences, matrix_rows
from mpmodel.history.render_html import report_html
from mpmodel.history.render_plot import PlotUnavailable, plot_history
from mpmodel.history.shifts import find_shifts
from mpmodel.store.source import RunSource

PAGE_PLOT_RUNS = 60  # a context's plot on the page shows its most recent runs; its table shows them all


def write_html(runs, shifts, thresholds: Thresholds, target: Path, source: RunSource) -> Path:
    """The report page for `runs` (read from `source`), written to `target` whole."""
    rows = matrix_rows(source.latest_per_context())
    plots = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, row in enumerate(rows):
            own = [r for r in runs if context_of(r) == context_of(row.run)][-PAGE_PLOT_RUNS:]
            try:
                plots[row.label] = plot_history(own, find_shifts(own, thresholds), Path(tmp) / f"{i}.png").read_bytes()
            except PlotUnavailable:
                break
    page = report_html(runs, rows, differences(rows), shifts, plots, source.whole(runs[-1]))
    return write_atomically(target, lambda tmp: tmp.write_text(page, encoding="utf-8"))
