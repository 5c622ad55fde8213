"""`mpmodel explain TEST_ID`: a gate's whole verdict as its run saved it (the summary table shows a short reason)."""

from __future__ import annotations

import json

from mpmodel.history.cli.options import UsageProblem, add_command, add_format, add_source, emit
from mpmodel.store.source import open_source

FORMATS = {
    "text": lambda run, hits: "\n".join(f"{r.name} ({run.number}): {r.record.gate or 'no gate'}: "
                                        f"{r.record.text('gate_message', 'no message saved')}" for r in hits),
    "json": lambda run, hits: json.dumps([{"run": run.name, "test": r.name, "gate": r.record.gate,
                                           "message": r.record.text("gate_message")} for r in hits], indent=1),
}


def add_parser(sub) -> None:
    e = add_command(sub, "explain", "a gate's whole verdict, as its run saved it",
                    "Every saved result of RUN whose test id contains TEST_ID, with its gate's outcome and full message "
                    "(what was measured, what was expected and why). Reads only.",
                    "mpmodel explain 'test_speedup[small-jit_auto-fp32_default-mixed_bfloat16]'",
                    "0 done, 2 bad input (no result matches TEST_ID), 130 interrupted")
    e.add_argument("test_id", metavar="TEST_ID", help="a test id, or a part of one (test_speedup, mixed_bfloat16)")
    e.add_argument("--run", default="latest", help="the run, named as compare names one (default: latest)")
    add_source(e)
    add_format(e, FORMATS, "text (default) or json for scripts")


def run(args, out) -> int:
    source = open_source(args.source, read_only=True)
    saved = source.resolve(args.run)
    hits = [r for r in saved.results.values() if args.test_id in r.name]
    if not hits:
        raise UsageProblem(f"{args.test_id!r}: no result of run {saved.number} has it in its test id "
                           f"({len(saved.results)} results: {', '.join(sorted(saved.results)[:3])}, ...)")
    emit(args, FORMATS, saved, hits, out=out)
    return 0
