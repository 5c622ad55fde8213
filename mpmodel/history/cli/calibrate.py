"""`mpmodel calibrate [RUN...]`: A/A run-to-run noise measured and kept beside the runs as per-series thresholds."""

from __future__ import annotations

import json

from mpmodel.history import calibration
from mpmodel.history.aa_runs import run_suite
from mpmodel.history.cli.options import add_command, add_format, add_source, emit, run_count
from mpmodel.history.render_text import format_calibration
from mpmodel.store.source import open_source

SUITE_ARGS = "--pyargs mpmodel.suite"
FORMATS = {
    "text": lambda record, stored: (f"{format_calibration(record)}\nstored: {stored} (compare and report use it for runs "
                                    "on the same device and versions)"),
    "json": lambda record, stored: json.dumps({**record, "stored": stored}, indent=1),
}


def add_parser(sub) -> None:
    k = add_command(sub, "calibrate", "measure A/A run-to-run noise and store recommended thresholds",
                    "A/A noise (the same code run again) measured per series and kept beside the runs as thresholds "
                    "that compare and report use on the same device and versions. Without RUN, the installed suite "
                    "is run --repeat times from here (--pytest-args).",
                    "mpmodel calibrate --repeat 5",
                    "0 done, 2 bad input or an A/A run that failed or saved nothing, 130 interrupted")
    add_source(k)
    k.add_argument("runs", nargs="*", help="saved A/A runs to calibrate from (files, or runs of the source by number, "
                                           "name, previous or latest); without them, the suite is run")
    add_format(k, FORMATS, "text (default) or json for scripts")
    k.add_argument("--repeat", type=run_count, default=5, help="suite runs to make when none are given (default 5)")
    k.add_argument("--pytest-args", default=SUITE_ARGS,
                   help=f"what to pass to pytest for each A/A run (default: '{SUITE_ARGS}', the installed suite, from any "
                        "folder)")


def run(args, out) -> int:
    source = open_source(args.source)
    runs = [source.resolve(spec) for spec in args.runs] if args.runs else run_suite(source, args.repeat,
                                                                                    args.pytest_args, out)
    record = calibration.calibrate(runs)
    emit(args, FORMATS, record, calibration.save(record, source), out=out)
    return 0
