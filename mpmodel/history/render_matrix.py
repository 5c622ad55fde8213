"""The device matrix as text for a terminal, Markdown for a CI summary or a pull request, JSON for scripts."""

from __future__ import annotations

import json

from mpmodel.history.matrix import Cell, Difference, Row
from mpmodel.history.render_text import mib_text, ms_text, p_text, speedup_text

COLUMNS = ("context", "runs", "latest", "policy", "step ms", "speedup [95% CI]", "efficiency", "peak MiB")


def matrix_cells(row: Row, cell: Cell) -> list[str]:
    speedup = "-"
    if cell.speedup is not None:
        ci = f" [{cell.ci[0]:.3f}, {cell.ci[1]:.3f}]" if cell.ci and None not in cell.ci else ""
        speedup = f"{speedup_text(cell.speedup)}{ci}"
    return [row.label, str(row.runs), row.run.number, cell.variant.label(),
            "-" if cell.step_s is None else ms_text(cell.step_s), speedup,
            "-" if cell.efficiency is None else f"{cell.efficiency:.2f}",
            "-" if cell.footprint_bytes is None else mib_text(cell.footprint_bytes)]


def difference_line(d: Difference) -> str:
    if not d.changes:
        return f"{d.fact}: no speedup measured in both"
    parts = [f"{name} speedup {speedup_text(c.before)} -> {speedup_text(c.after)}, {(c.ratio - 1) * 100:+.1f}%, "
             f"{p_text(c.p_value)}"
             + ("" if significant else " (not significant)") for name, c, significant in d.changes]
    return f"{d.fact}: " + "; ".join(parts)


def _table(rows: list[Row]) -> list[list[str]]:
    return [matrix_cells(row, cell) for row in rows for cell in row.cells]


def matrix_text(rows: list[Row], diffs: list[Difference]) -> str:
    table = [list(COLUMNS)] + _table(rows)
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("")
    lines.append("contexts one fact apart (speedups compared; step times across contexts are shown, not judged):")
    lines += [f"  {difference_line(d)}" for d in diffs] or ["  none"]
    return "\n".join(lines)


def matrix_markdown(rows: list[Row], diffs: list[Difference]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cells) + " |" for cells in _table(rows)]
    lines += ["", "**Contexts one fact apart** (speedups compared; step times across contexts are not judged):", ""]
    lines += [f"- {difference_line(d)}" for d in diffs] or ["- none"]
    return "\n".join(lines) + "\n"


def matrix_json(rows: list[Row], diffs: list[Difference]) -> str:
    def cell(c: Cell) -> dict:
        return {"policy": c.variant.policy, "jit": c.variant.jit, "fp32": c.variant.fp32, "step_s": c.step_s,
                "speedup": c.speedup, "speedup_ci": list(c.ci) if c.ci else None, "efficiency": c.efficiency,
                "footprint_bytes": c.footprint_bytes}

    return json.dumps({
        "contexts": [{"context": row.context, "label": row.label, "runs": row.runs, "latest": row.run.name,
                      "when": row.run.when.isoformat(), "cells": [cell(c) for c in row.cells]} for row in rows],
        "differences": [{"fact": d.fact, "before": d.before.run.name, "after": d.after.run.name,
                         "speedups": [{"variant": n, "before": c.before, "after": c.after, "ratio": c.ratio,
                                       "p_value": c.p_value, "significant": s} for n, c, s in d.changes]}
                        for d in diffs],
    }, indent=1)


FORMATS = {"text": matrix_text, "markdown": matrix_markdown, "json": matrix_json}
