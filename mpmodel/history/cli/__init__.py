"""`mpmodel report | compare | matrix | explain | calibrate | ingest | store`: the history of saved runs, without pytest, from one
source of runs (a folder or a database URL, `--source`). This module is the dispatcher; each command is its own
module (`add_parser`, `run`), and what they share is in `options`.

Exit codes (docs/history.md, "Exit codes"): 0 done (no regression), 1 a regression with --fail-on-regression,
2 bad input (one line on stderr naming it), 3 `compare` found no baseline yet (0 with --no-baseline-ok), 130
interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys

from mpmodel.core.version import VERSION
from mpmodel.history.cli import calibrate, compare, explain, ingest, matrix, report, store
from mpmodel.history.cli.options import DEFAULT_SOURCE, OneLineParser, UsageProblem
from mpmodel.measure.results import SCHEMA_VERSION
from mpmodel.store import HISTORY_ENV
from mpmodel.store.runs import HistoryError

COMMANDS = {"report": report, "compare": compare, "matrix": matrix, "explain": explain, "ingest": ingest,
            "calibrate": calibrate, "store": store}


def version_line() -> str:
    """The package's version and the schema of the results it saves (CHANGELOG.md says which runs compare)."""
    return f"mpmodel {VERSION} (saved results: schema {SCHEMA_VERSION})"


def parser() -> OneLineParser:
    p = OneLineParser(prog="mpmodel", description="History of the mixed-precision benchmark runs.")
    p.add_argument("-V", "--version", action="version", version=version_line())
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return p


def markdown_table() -> str:
    """Every subcommand's options with their defaults, as the manual's Markdown table (docs/history.md holds it;
    docs/tables.py writes and checks it), read from the parser itself."""
    rows = ["| command | option | default | meaning |", "|---|---|---|---|"]
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001 (argparse's own)
    for name, command in sub.choices.items():
        for action in command._actions:  # noqa: SLF001
            if isinstance(action, argparse._HelpAction):  # noqa: SLF001
                continue
            flag = ", ".join(action.option_strings) or action.metavar or action.dest
            default = "-" if action.default in (None, False, argparse.SUPPRESS) or not action.option_strings else \
                f"`{action.default}`"
            if action.dest == "source":
                default = f"`${HISTORY_ENV}`, else `{DEFAULT_SOURCE}`" if name != "ingest" else f"`${HISTORY_ENV}`"
            meaning = (action.help or "").replace("%%", "%").replace("|", "\\|")
            rows.append(f"| `{name}` | `{flag.replace('|', chr(92) + '|')}` | {default} | {meaning} |")
    return "\n".join(rows) + "\n"


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
