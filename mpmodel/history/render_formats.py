"""A comparison and a report as Markdown (a pull-request comment, a job summary) and as JSON (scripts); the text
forms are render_text's."""

from __future__ import annotations

import json

from mpmodel.history.comparison import Comparison
from mpmodel.history.render_text import WORDS, level_text, p_text, report_cells, run_line
from mpmodel.measure.context import label
from mpmodel.store.runs import SavedRun, varied_axes


def comparison_markdown(cmp: Comparison) -> str:
    verdict = (f"**REGRESSION** in {len(cmp.regressions)} series" if cmp.regressions else "no significant regression")
    lines = [f"### mpmodel compare: {verdict}", "", f"- before: `{run_line(cmp.before)}`", f"- after: `{run_line(cmp.after)}`",
             f"- device: {label(cmp.after.facts)}",
             f"- context differs: {'; '.join(cmp.context)}" if cmp.context else "- context: the same", "",
             "| series | policy | before | after | change [95% CI] | p | verdict |", "|---|---|---|---|---|---|---|"]
    for c in cmp.changes:
        s = c.sample
        word = WORDS.get((c.kind, c.direction), "ok") + ("" if c.gated or c.direction == "same" else " (not gated)")
        lines.append(f"| {c.kind} | {c.row} | {level_text(c.kind, s.before, False)} | {level_text(c.kind, s.after, False)} | "
                     f"{c.percent:+.1f}% [{(s.low - 1) * 100:+.1f}%, {(s.high - 1) * 100:+.1f}%] | {p_text(s.p_value)} | "
                     f"{'**' + word + '**' if c.direction == 'worse' and c.gated else word} |")
    return "\n".join(lines) + "\n"


def report_markdown(runs: list[SavedRun], shifts: dict, skipped: list, note: str, last: int | None = None) -> str:
    """The report's table of the last `last` runs and its lasting shifts, as Markdown."""
    shown = runs[max(0, len(runs) - last):] if last else runs
    axes = varied_axes(shown)
    lines = ["### mpmodel report", "", f"- context of the newest run: {label(shown[-1].facts)}",
             f"- runs shown: {len(shown)} of {len(runs)} read", "",
             "| run | date (UTC) | commit | policy | step ms | speedup [95% CI] | acc delta | peak MiB | kernels alone |",
             "|---|---|---|---|---|---|---|---|---|"]
    for run in shown:
        for variant in run.variants:
            cells = " | ".join(report_cells(run, variant))
            lines.append(f"| {run.number} | {run.when:%Y-%m-%d %H:%M} | {run.commit or '-'} | {variant.label(axes)} | {cells} |")
    found = [(key, s) for key, ss in shifts.items() for s in ss]
    lines.append("")
    lines.extend([f"- lasting shift: {key.label} {key.kind} {level_text(key.kind, s.before, False)} -> "
                  f"{level_text(key.kind, s.after, False)} ({s.relative:+.1%}) from run {runs[s.index].number}"
                  for key, s in found] or ["- lasting shifts: none detected"])
    lines.append(f"- {note}")
    lines.extend(f"- skipped `{path}`: {reason}" for path, reason in skipped)
    return "\n".join(lines) + "\n"


def report_json(runs: list[SavedRun], shifts: dict, skipped: list, note: str) -> str:
    """Every run with its context and one level per series, the lasting shifts, the files skipped."""
    return json.dumps({
        "runs": [{"name": r.name, "when": r.when.isoformat(), "commit": r.commit, "context": label(r.facts),
                  "store_id": r.store_id, "levels": {f"{kind}|{name}": v for (kind, name), v in r.levels().items()}}
                 for r in runs],
        "shifts": [{"series": key.label, "kind": key.kind, "before": s.before, "after": s.after,
                    "relative": s.relative, "from_run": runs[s.index].name} for key, ss in shifts.items() for s in ss],
        "skipped": [{"path": str(p), "reason": why} for p, why in skipped], "thresholds": note,
    }, indent=1)


def comparison_json(cmp: Comparison) -> str:
    return json.dumps({
        "before": cmp.before.name, "after": cmp.after.name, "context_differs": cmp.context,
        "regression": bool(cmp.regressions),
        "changes": [{"kind": c.kind, "name": c.name, "policy": c.policy, "label": c.row, "before": c.sample.before,
                     "after": c.sample.after, "ratio": c.sample.ratio, "ci": [c.sample.low, c.sample.high],
                     "p_value": c.sample.p_value, "threshold": c.threshold, "direction": c.direction,
                     "unconfirmed": c.unconfirmed, "gated": c.gated} for c in cmp.changes],
        "accuracy": [{"label": a.row, "before": a.before, "after": a.after} for a in cmp.accuracy],
        "not_compared": cmp.unmatched,
    }, indent=1)
