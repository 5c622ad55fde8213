"""What the commands share: the parser that fails in one line, the one source argument, the thresholds, and the
one way every command picks its output format (`add_format` with the command's renderers, `emit`)."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable

from mpmodel.core.parsing import parse_fraction
from mpmodel.history import calibration
from mpmodel.history.comparison import (
    DEFAULT_ALPHA,
    DEFAULT_MEMORY_THRESHOLD,
    DEFAULT_SPEEDUP_THRESHOLD,
    DEFAULT_STEP_THRESHOLD,
    Thresholds,
)
from mpmodel.measure.context import measured_changes
from mpmodel.store import HISTORY_ENV
from mpmodel.store.runs import SavedRun
from mpmodel.store.source import RunSource

DEFAULT_SOURCE = ".benchmarks"


class UsageProblem(Exception):
    """Bad command-line input; the message is the one line printed."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a bad argument told in one line (no usage block) and exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} -h)\n")


READ_EXITS = "0 done, 2 bad input (one line on stderr), 130 interrupted"


def add_command(sub, name: str, summary: str, description: str, example: str, exits: str = READ_EXITS):
    """A subcommand whose help says what it does, its exit codes and an example."""
    return sub.add_parser(name, help=summary, description=f"{description} Exit codes: {exits}.",
                          epilog=f"example: {example}")


def fraction(text: str) -> float:
    """parse_fraction for argparse (which shows only an ArgumentTypeError's own message); `15%` is 0.15, as
    pytest-benchmark's --benchmark-compare-fail writes a threshold."""
    try:
        if text.strip().endswith("%"):
            try:
                return parse_fraction(float(text.strip()[:-1]) / 100)
            except ValueError:
                raise ValueError(f"{text!r} must be a percentage in [0%, 100%), e.g. 15%") from None
        return parse_fraction(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_count(text: str) -> int:
    if not text.isdigit() or int(text) < 2:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of runs, at least 2")
    return int(text)


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number, at least 1")
    return int(text)


def add_source(sp, default: str | None = DEFAULT_SOURCE) -> None:
    """The one source of runs: a folder or a database URL (`--storage` and `--history` are its older names)."""
    sp.add_argument("--source", "--storage", "--history", dest="source", metavar="PATH|URL",
                    default=os.environ.get(HISTORY_ENV) or default,
                    help="where the runs are: a folder of saved runs (default: .benchmarks, or file:///PATH), "
                         f"sqlite:///FILE or postgresql+psycopg://USER@HOST/DB (default: ${HISTORY_ENV} where set)")


def add_format(sp, renderers: dict[str, Callable], what: str = "") -> None:
    """--format, its choices the command's renderers, the first the default."""
    names = list(renderers)
    sp.add_argument("--format", choices=names, default=names[0], help=what or f"{' or '.join(names)} (default {names[0]})")


def emit(args, renderers: dict[str, Callable[..., str]], *payload, out) -> None:
    """Print what the chosen format renders of the payload."""
    print(renderers[args.format](*payload), file=out)


def add_thresholds(sp) -> None:
    sp.add_argument("--step-threshold", type=fraction, default=DEFAULT_STEP_THRESHOLD,
                    help=f"relative step-time change that counts, e.g. 0.2 = 20%% (default {DEFAULT_STEP_THRESHOLD}); "
                         "a stored calibration raises it per series where A/A noise is larger")
    sp.add_argument("--speedup-threshold", type=fraction, default=DEFAULT_SPEEDUP_THRESHOLD,
                    help=f"relative speedup change that counts (default {DEFAULT_SPEEDUP_THRESHOLD}); "
                         "raised the same way by a calibration")
    sp.add_argument("--memory-threshold", type=fraction, default=DEFAULT_MEMORY_THRESHOLD,
                    help=f"relative peak-memory change that counts (default {DEFAULT_MEMORY_THRESHOLD}); "
                         "raised the same way by a calibration")
    sp.add_argument("--threshold", type=fraction, default=None, help="set the step-time and speedup thresholds at once"
                    " (0.15 or 15%%)")
    sp.add_argument("--alpha", type=fraction, default=DEFAULT_ALPHA,
                    help="significance level of the Mann-Whitney test (default 0.05)")


def thresholds(args, source: RunSource, reference: SavedRun) -> tuple[Thresholds, str]:
    """Thresholds, with the source's calibration where it was measured in the reference run's context, and a line
    saying which thresholds apply."""
    both = args.threshold
    base = Thresholds(args.step_threshold if both is None else both,
                      args.speedup_threshold if both is None else both, args.alpha, memory=args.memory_threshold)
    cal = calibration.load(source)
    if cal is None:
        return base, f"thresholds: {base.describe()} (no calibration in {source.shown}: run `mpmodel calibrate`)"
    if not cal.applies_to(reference):
        changes = "; ".join(measured_changes(cal.record.get("facts", {}), reference.facts))
        return base, (f"thresholds: {base.describe()}; calibration {cal.path} not used: run {reference.number} "
                      f"differs from its A/A runs ({changes})")
    return (dataclasses.replace(base, calibration=cal),
            f"thresholds: {base.describe()}, raised per series by calibrated A/A noise from {cal.path}")
