"""`mpmodel compare BEFORE AFTER`: two runs compared per series; exit 1 on a regression with --fail-on-regression."""

from __future__ import annotations

from mpmodel.history.cli.options import UsageProblem, add_format, add_source, add_thresholds, emit, thresholds
from mpmodel.history.comparison import compare_runs
from mpmodel.history.render_formats import comparison_json, comparison_markdown
from mpmodel.history.render_text import format_comparison
from mpmodel.store.source import open_source

FORMATS = {
    "text": lambda result, note: f"{format_comparison(result)}\n{note}",
    "markdown": lambda result, note: f"{comparison_markdown(result)}\n{note}",
    "json": lambda result, note: comparison_json(result),
}


def add_parser(sub) -> None:
    c = sub.add_parser("compare", help="compare two saved runs, per policy")
    c.add_argument("before", help="saved-run file, run number in the source (0003), or previous/latest")
    c.add_argument("after", help="saved-run file, run number in the source, or previous/latest")
    add_source(c)
    add_thresholds(c)
    add_format(c, FORMATS, "text (default), markdown for a pull-request comment, json for scripts")
    c.add_argument("--fail-on-regression", action="store_true",
                   help="exit 1 when a step time got significantly slower or a speedup significantly dropped")


def run(args, out) -> int:
    source = open_source(args.source)
    before, after = source.resolve(args.before), source.resolve(args.after)
    limits, note = thresholds(args, source, before)  # the baseline's noise
    result = compare_runs(before, after, limits)
    emit(args, FORMATS, result, note, out=out)
    if not result.changes:  # a gate that compared nothing must not pass
        profiles = f"profile {before.facts.get('profile', '?')} vs {after.facts.get('profile', '?')}"
        refused = [u for u in result.unmatched if "not comparable" in u]
        raise UsageProblem(f"{before.number} and {after.number} share no step-time or speedup benchmark ({profiles})"
                           + (f"; {refused[0]}" if refused else ""))
    return 1 if args.fail_on_regression and result.regressions else 0
