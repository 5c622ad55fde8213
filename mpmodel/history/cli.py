"""`mpmodel report | compare | matrix | calibrate | ingest`: the history of saved runs, without pytest, from a storage
folder or a history store (`--history URL`).

Exit codes: 0 done (no regression), 1 a regression with --fail-on-regression, 2 bad input
(one line on stderr naming it).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from mpmodel.core.atomic import write_atomically
from mpmodel.core.parsing import parse_fraction
from mpmodel.history import calibration
from mpmodel.history.comparison import (
    DEFAULT_ALPHA,
    DEFAULT_MEMORY_THRESHOLD,
    DEFAULT_SPEEDUP_THRESHOLD,
    DEFAULT_STEP_THRESHOLD,
    Thresholds,
    compare_runs,
)
from mpmodel.history.matrix import build_matrix, context_of, differences
from mpmodel.history.render_formats import comparison_json, comparison_markdown, report_json
from mpmodel.history.render_html import report_html
from mpmodel.history.render_matrix import FORMATS as MATRIX_FORMATS
from mpmodel.history.render_plot import PlotUnavailable, plot_history
from mpmodel.history.render_text import format_calibration, format_comparison, format_report
from mpmodel.history.runs import (
    HistoryError,
    SavedRun,
    full_run,
    load_from,
    load_run,
    open_store,
    resolve,
    run_files,
)
from mpmodel.history.shifts import find_shifts
from mpmodel.measure.context import measured_changes
from mpmodel.store import HISTORY_ENV
from mpmodel.store.database import StoreError

DEFAULT_STORAGE = ".benchmarks"


class UsageProblem(Exception):
    """Bad command-line input; the message is the one line printed."""


def _fraction(text: str) -> float:
    """parse_fraction for argparse, which shows only an ArgumentTypeError's own message."""
    try:
        return parse_fraction(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run_count(text: str) -> int:
    if not text.isdigit() or int(text) < 2:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of runs, at least 2")
    return int(text)


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a bad argument told in one line (no usage block) and exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} -h)\n")


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="mpmodel", description="History of the mixed-precision benchmark runs.")
    sub = p.add_subparsers(dest="command", required=True)

    def storage_opt(sp):
        sp.add_argument("--storage", default=DEFAULT_STORAGE, help="folder of saved runs (default: .benchmarks)")
        history_opt(sp, "read the runs from this history store instead of the storage folder")

    def history_opt(sp, what):
        sp.add_argument("--history", metavar="URL", default=os.environ.get(HISTORY_ENV) or None,
                        help=f"{what}: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB (default: ${HISTORY_ENV})")

    def threshold_opts(sp):
        sp.add_argument("--step-threshold", type=_fraction, default=DEFAULT_STEP_THRESHOLD,
                        help=f"relative step-time change that counts, e.g. 0.2 = 20%% (default {DEFAULT_STEP_THRESHOLD}); "
                             "a stored calibration raises it per series where A/A noise is larger")
        sp.add_argument("--speedup-threshold", type=_fraction, default=DEFAULT_SPEEDUP_THRESHOLD,
                        help=f"relative speedup change that counts (default {DEFAULT_SPEEDUP_THRESHOLD}); "
                             "raised the same way by a calibration")
        sp.add_argument("--memory-threshold", type=_fraction, default=DEFAULT_MEMORY_THRESHOLD,
                        help=f"relative peak-memory change that counts (default {DEFAULT_MEMORY_THRESHOLD}); "
                             "raised the same way by a calibration")
        sp.add_argument("--threshold", type=_fraction, default=None,
                        help="set the step-time and speedup thresholds at once")
        sp.add_argument("--alpha", type=_fraction, default=DEFAULT_ALPHA,
                        help="significance level of the Mann-Whitney test (default 0.05)")

    r = sub.add_parser("report", help="table of saved runs over time, lasting shifts, optional plot")
    storage_opt(r)
    threshold_opts(r)
    r.add_argument("--plot", metavar="FILE.png", help="also draw speedup and step time over runs into a PNG")
    r.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json for scripts")
    r.add_argument("--html", metavar="FILE.html", help="also write one self-contained page: matrix, history, plot, "
                                                      "shifts, gates")

    c = sub.add_parser("compare", help="compare two saved runs, per policy")
    c.add_argument("before", help="saved-run file, run number in the storage (0003), or previous/latest")
    c.add_argument("after", help="saved-run file, run number in the storage, or previous/latest")
    storage_opt(c)
    threshold_opts(c)
    c.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="text (default), markdown for a pull-request comment, json for scripts")
    c.add_argument("--fail-on-regression", action="store_true",
                   help="exit 1 when a step time got significantly slower or a speedup significantly dropped")

    m = sub.add_parser("matrix", help="the latest run of every context side by side; one-fact differences named")
    storage_opt(m)
    m.add_argument("--format", choices=sorted(MATRIX_FORMATS), default="text", help="text, markdown or json")

    g = sub.add_parser("ingest", help="add saved-run JSON files to the history store; each run is stored once")
    g.add_argument("paths", nargs="+", metavar="PATH", help="saved-run files, or folders of them")
    g.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json for scripts")
    history_opt(g, "the history store")

    k = sub.add_parser("calibrate", help="measure A/A run-to-run noise and store recommended thresholds")
    storage_opt(k)
    k.add_argument("runs", nargs="*", help="saved A/A runs to calibrate from; without them, the suite is run")
    k.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json for scripts")
    k.add_argument("--repeat", type=_run_count, default=5, help="suite runs to make when none are given (default 5)")
    k.add_argument("--pytest-args", default="benchmarks/",
                   help="what to pass to pytest for each A/A run (default: 'benchmarks/')")
    return p


def _thresholds(args, reference: SavedRun) -> tuple[Thresholds, str]:
    """Thresholds, with the storage's calibration where it was measured in the reference run's
    context, and a line saying which thresholds apply."""
    both = args.threshold
    base = Thresholds(args.step_threshold if both is None else both,
                      args.speedup_threshold if both is None else both, args.alpha, memory=args.memory_threshold)
    cal = calibration.load(args.storage)
    if cal is None:
        return base, f"thresholds: {base.describe()} (no calibration in {args.storage}: run `mpmodel calibrate`)"
    if not cal.applies_to(reference):
        changes = "; ".join(measured_changes(cal.record.get("facts", {}), reference.facts))
        return base, (f"thresholds: {base.describe()}; calibration {cal.path} not used: run {reference.number} "
                      f"differs from its A/A runs ({changes})")
    return (dataclasses.replace(base, calibration=cal),
            f"thresholds: {base.describe()}, raised per series by calibrated A/A noise from {cal.path}")


def cmd_compare(args, out) -> int:
    before, after = resolve(args.before, args.storage, args.history), resolve(args.after, args.storage, args.history)
    thresholds, note = _thresholds(args, before)  # the baseline's noise
    result = compare_runs(before, after, thresholds)
    if args.format == "json":
        print(comparison_json(result), file=out)
    elif args.format == "markdown":
        print(comparison_markdown(result) + f"\n{note}", file=out)
    else:
        print(format_comparison(result), file=out)
        print(note, file=out)
    if not result.changes:  # a gate that compared nothing must not pass
        profiles = f"profile {before.facts.get('profile', '?')} vs {after.facts.get('profile', '?')}"
        refused = [u for u in result.unmatched if "not comparable" in u]
        raise UsageProblem(f"{before.number} and {after.number} share no step-time or speedup benchmark ({profiles})"
                           + (f"; {refused[0]}" if refused else ""))
    return 1 if args.fail_on_regression and result.regressions else 0


def cmd_report(args, out) -> int:
    runs, skipped = load_from(args.storage, args.history, need_one=True)
    thresholds, note = _thresholds(args, runs[-1])  # the noise of the machine as it is now
    shifts = find_shifts(runs, thresholds)
    if args.format == "json":
        print(report_json(runs, shifts, skipped, note), file=out)
    else:
        print(format_report(runs, shifts, skipped, note), file=out)
    if args.plot:
        try:
            print(f"plot: {plot_history(runs, shifts, args.plot)}", file=out)
        except PlotUnavailable as exc:
            raise UsageProblem(str(exc)) from None
    if args.html:
        print(f"page: {write_html(runs, shifts, thresholds, Path(args.html), args.history)}", file=out)
    return 0


PAGE_PLOT_RUNS = 60  # a context's plot on the page shows its most recent runs; its table shows them all


def write_html(runs, shifts, thresholds: Thresholds, target: Path, history: str | None = None) -> Path:
    """The report page, a plot per context inlined (left out, and said so, without matplotlib), written atomically."""
    rows = build_matrix(runs, lambda run: full_run(run, history))
    plots = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, row in enumerate(rows):
            own = [r for r in runs if context_of(r) == context_of(row.run)][-PAGE_PLOT_RUNS:]
            try:
                plots[row.label] = plot_history(own, find_shifts(own, thresholds), Path(tmp) / f"{i}.png").read_bytes()
            except PlotUnavailable:
                break
    page = report_html(runs, rows, differences(rows), shifts, plots, full_run(runs[-1], history))
    return write_atomically(target, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def _suite_runs(args, out) -> list[Path]:
    """Run the suite --repeat times into the storage; the files it saved."""
    storage = Path(args.storage).resolve()
    made = []
    for i in range(args.repeat):
        known = set(run_files(storage)) if storage.is_dir() else set()
        cmd = [sys.executable, "-m", "pytest", *shlex.split(args.pytest_args), "-p", "no:cacheprovider", "-q",
               f"--benchmark-storage=file://{storage}", "--benchmark-save=aa-calibration", "--benchmark-save-data"]
        print(f"A/A run {i + 1}/{args.repeat}: {shlex.join(cmd)}", file=out, flush=True)
        code = subprocess.call(cmd, env=os.environ.copy())
        if code not in (0, 1):  # 1: a gate failed, the timings still count
            raise UsageProblem(f"calibrate: pytest exited {code} on A/A run {i + 1}; fix that run first")
        new = sorted(set(run_files(storage)) - known)
        if not new:
            raise UsageProblem(f"calibrate: A/A run {i + 1} saved nothing in {storage}")
        made.extend(new)
    return made


def cmd_matrix(args, out) -> int:
    runs, _ = load_from(args.storage, args.history, need_one=True)
    rows = build_matrix(runs, lambda run: full_run(run, args.history))
    print(MATRIX_FORMATS[args.format](rows, differences(rows)), file=out)
    return 0


def cmd_ingest(args, out) -> int:
    if not args.history:
        raise UsageProblem(f"ingest needs --history URL (or ${HISTORY_ENV})")
    store = open_store(args.history)
    files = []
    for spec in args.paths:
        path = Path(spec)
        files += run_files(path) if path.is_dir() else [path]
    added = known = 0
    for path in files:
        run = load_run(path)  # HistoryError names a file that is no saved run, before anything of it is stored
        try:
            _, new = store.save(json.loads(path.read_text(encoding="utf-8")), name=run.path.stem)
        except StoreError as exc:
            raise HistoryError(str(exc)) from None
        added, known = added + new, known + (not new)
    if args.format == "json":
        print(json.dumps({"store": store.shown, "runs": len(files), "added": added, "stored_before": known}), file=out)
    else:
        print(f"ingested {len(files)} run(s) into {store.shown}: {added} added, {known} stored before", file=out)
    return 0


def cmd_calibrate(args, out) -> int:
    if args.runs:  # files, or with --history runs of the store by number, name, previous or latest
        runs = [resolve(spec, args.storage, args.history) if args.history else load_run(spec) for spec in args.runs]
    else:
        runs = [load_run(p) for p in _suite_runs(args, out)]
    record = calibration.calibrate(runs)
    target = calibration.save(record, args.storage)
    if args.format == "json":
        print(json.dumps({**record, "stored": str(target)}, indent=1), file=out)
        return 0
    print(format_calibration(record), file=out)
    print(f"stored: {target} (compare and report use it for runs on the same device and versions)", file=out)
    return 0


COMMANDS = {"compare": cmd_compare, "report": cmd_report, "calibrate": cmd_calibrate, "ingest": cmd_ingest,
            "matrix": cmd_matrix}


def main(argv=None, out=None) -> int:
    out = out or sys.stdout
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, out)
    except (HistoryError, UsageProblem) as exc:
        print(f"mpmodel {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mpmodel {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
