"""`mpmodel compare BEFORE AFTER`: two runs compared per series; exit 1 on a regression with --fail-on-regression,
3 where BEFORE selects no run yet (a first run: 0 with --no-baseline-ok)."""

from __future__ import annotations

import sys

from mpmodel.core import step_summary
from mpmodel.history.cli.options import UsageProblem, add_command, add_format, add_source, add_thresholds, emit, thresholds
from mpmodel.history.comparison import compare_runs
from mpmodel.history.render_formats import comparison_json, comparison_markdown
from mpmodel.history.render_text import format_comparison
from mpmodel.store.baseline import NoBaseline
from mpmodel.store.source import open_source

NO_BASELINE_EXIT = 3
FORMATS = {
    "text": lambda result, note: f"{format_comparison(result)}\n{note}",
    "markdown": lambda result, note: f"{comparison_markdown(result)}\n{note}",
    "json": lambda result, note: comparison_json(result),
}
SELECTORS = ("a saved-run file, a run number in the source (0003) or name, latest, or a baseline chosen by branch: "
             "previous (the newest earlier run on latest's branch), branch:NAME (that branch's newest), baseline "
             "(on a pull request its base branch's newest, else previous)")


def add_parser(sub) -> None:
    c = add_command(sub, "compare", "compare two saved runs, per policy",
                    "Compare two saved runs per series (step time, speedup, memory). Reads only.",
                    "mpmodel compare baseline latest --fail-on-regression --no-baseline-ok",
                    "0 no significant regression, 1 a regression with --fail-on-regression, 2 bad input (a run "
                    f"compared with itself included), {NO_BASELINE_EXIT} no baseline yet (0 with --no-baseline-ok), "
                    "130 interrupted")
    c.add_argument("before", help=SELECTORS)
    c.add_argument("after", help="the run judged, named as BEFORE is (usually latest)")
    add_source(c)
    add_thresholds(c)
    add_format(c, FORMATS, "text (default), markdown for a pull-request comment, json for scripts")
    c.add_argument("--fail-on-regression", action="store_true",
                   help="exit 1 when a step time got significantly slower or a speedup significantly dropped")
    c.add_argument("--no-baseline-ok", action="store_true",
                   help=f"where BEFORE selects no run yet (a first run), say so and exit 0 instead of {NO_BASELINE_EXIT}")


def _summarize(markdown: str) -> None:
    """The comparison on the CI job's summary page, where it has one; a file that cannot be written is said, not fatal."""
    try:
        step_summary.append(markdown)
    except OSError as exc:
        print(f"mpmodel compare: {step_summary.SUMMARY_ENV} not written: {exc}", file=sys.stderr)


def same_run(a, b) -> bool:
    """Whether two resolved runs are one: the same stored run, or the same file."""
    if a.store_id or b.store_id:
        return a.store_id == b.store_id
    return a.path.resolve() == b.path.resolve()


def run(args, out) -> int:
    source = open_source(args.source, read_only=True)
    try:
        before = source.resolve(args.before)
    except NoBaseline as exc:
        source.resolve(args.after)  # a bad AFTER is bad input all the same
        verdict = "this run is the baseline" if args.no_baseline_ok else f"exit {NO_BASELINE_EXIT}"
        line = f"mpmodel compare: no baseline: {exc} ({verdict})"
        print(line, file=out)
        _summarize(f"### mpmodel compare\n\n{line}\n")
        return 0 if args.no_baseline_ok else NO_BASELINE_EXIT
    after = source.resolve(args.after)
    if same_run(before, after):
        raise UsageProblem(f"{args.before} and {args.after} are the same run ({after.number}): a run compared with "
                           "itself cannot regress; name another as BEFORE")
    limits, note = thresholds(args, source, before)  # the baseline's noise
    result = compare_runs(before, after, limits)
    emit(args, FORMATS, result, note, out=out)
    if not result.changes:  # a gate that compared nothing must not pass
        profiles = f"profile {before.facts.get('profile', '?')} vs {after.facts.get('profile', '?')}"
        refused = [u for u in result.unmatched if "not comparable" in u]
        raise UsageProblem(f"{before.number} and {after.number} share no step-time or speedup benchmark ({profiles})"
                           + (f"; {refused[0]}" if refused else ""))
    _summarize(f"{comparison_markdown(result)}\n{note}\n")
    return 1 if args.fail_on_regression and result.regressions else 0
