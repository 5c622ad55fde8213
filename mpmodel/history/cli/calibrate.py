"""`mpmodel calibrate [RUN...]`: A/A run-to-run noise measured and kept beside the runs as per-series thresholds."""

from __future__ import annotations

import json

from mpmodel.history import calibration
from mpmodel.history.aa_runs import run_suite
from mpmodel.history.cli.options import add_format, add_source, emit, run_count
from mpmodel.history.render_text import format_calibration
from mpmodel.store.source import open_source

FORMATS = {
    "text": lambda record, stored: (f"{format_calibration(record)}\nstored: {stored} (compare and report use it for runs "
                                    "on the same device and versions)"),
    "json": lambda record, stored: json.dumps({**record, "stored": stored}, indent=1),
}


def add_parser(sub) -> None:
    k = sub.add_parser("calibrate", help="measure A/A run-to-run noise and store recommended thresholds")
    add_source(k)
    k.add_argument("runs", nargs="*", help="saved A/A runs to calibrate from (files, or runs of the source by number, "
                                           "name, previous or latest); without them, the suite is run")
    add_format(k, FORMATS, "text (default) or json for scripts")
    k.add_argument("--repeat", type=run_count, default=5, help="suite runs to make when none are given (default 5)")
    k.add_argument("--pytest-args", default="benchmarks/",
                   help="what to pass to pytest for each A/A run (default: 'benchmarks/')")


def run(args, out) -> int:
    source = open_source(args.source)
    runs = [source.resolve(spec) for spec in args.runs] if args.runs else run_suite(source, args.repeat,
                                                                                    args.pytest_args, out)
    record = calibration.calibrate(runs)
    emit(args, FORMATS, record, calibration.save(record, source), out=out)
    return 0
