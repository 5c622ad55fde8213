"""`mpmodel report | compare | matrix | calibrate | ingest | store`: the history of saved runs, without pytest, from one
source of runs (a folder or a database URL, `--source`). This module is the dispatcher; each command is its own
module (`add_parser`, `run`), and what they share is in `options`.

Exit codes (docs/history.md, "Exit codes"): 0 done (no regression), 1 a regression with --fail-on-regression,
2 bad input (one line on stderr naming it), 3 `compare` found no baseline yet (0 with --no-baseline-ok), 130
interrupted.
"""

from __future__ import annotations

import os
import sys

from mpmodel.core.version import VERSION
from mpmodel.history.cli import calibrate, compare, ingest, matrix, report, store
from mpmodel.history.cli.options import OneLineParser, UsageProblem
from mpmodel.measure.results import SCHEMA_VERSION
from mpmodel.store.runs import HistoryError

COMMANDS = {"report": report, "compare": compare, "matrix": matrix, "ingest": ingest, "calibrate": calibrate,
            "store": store}


def version_line() -> str:
    """The package's version and the schema of the results it saves (CHANGELOG.md says which runs compare)."""
    return f"mpmodel {VERSION} (saved results: schema {SCHEMA_VERSION})"


def parser() -> OneLineParser:
    p = OneLineParser(prog="mpmodel", description="History of the mixed-precision benchmark runs.")
    p.add_argument("--version", action="version", version=version_line())
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return p


def main(argv=None, out=None) -> int:
    out = out or sys.stdout
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args, out)
    except (HistoryError, UsageProblem) as exc:
        print(f"mpmodel {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mpmodel {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `mpmodel report | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush finds no closed pipe
        return 0


if __name__ == "__main__":
    sys.exit(main())
