"""`mpmodel report --html FILE`: one self-contained page (no network fetches; the plot inlined as a data URI):
the device matrix and its one-fact differences, each context's history, lasting shifts, and the latest
run's gate verdicts. A small inline script writes into the page's title how many plots decoded, so a
headless browser can tell a rendered page from a broken one."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from html import escape

from mpmodel.history.matrix import Difference, Row, context_of
from mpmodel.history.render_matrix import difference_line, matrix_cells
from mpmodel.history.render_text import level_text
from mpmodel.store.runs import SPEEDUP, STEP_TIME, SavedRun

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}th{background:#f3f3f3}
.FAIL{color:#b00;font-weight:bold}.skip{color:#777}img{max-width:100%}"""
CHECK = """<script>window.addEventListener('load',function(){var i=document.images,n=0;
for(var k=0;k<i.length;k++){if(i[k].complete&&i[k].naturalWidth>0)n++;}
document.title='mpmodel report: '+n+' of '+i.length+' plots rendered';});</script>"""


def _table(head: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    out = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>")
    return "\n".join(out) + "</table>"


def _history_rows(runs: list[SavedRun]) -> list[list[str]]:
    out = []
    for run in runs:
        for variant in run.variants:
            step = run.find(STEP_TIME, variant)
            speed = run.find(SPEEDUP, variant)
            out.append([run.number, f"{run.when:%Y-%m-%d %H:%M}", run.commit or "-", variant.label(),
                        "-" if step is None or not step.median else f"{step.median * 1e3:.2f}",
                        "-" if speed is None or speed.record.speedup is None else f"{speed.record.speedup:.3f}x",
                        (speed.record.gate or "-") if speed is not None else "-"])
    return out


def report_html(runs: list[SavedRun], rows: list[Row], diffs: list[Difference], shifts: dict,
                plots: dict[str, bytes], latest: SavedRun | None = None) -> str:
    """`plots`: a PNG per context label (its recent runs); `latest`: the last run whole, for its verdicts, where
    `runs` are a store's summaries."""
    latest = latest or runs[-1]
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>mpmodel report</title><style>{STYLE}</style>"
             f"{CHECK}</head><body>",
             f"<h1>Mixed-precision history</h1><p>{len(runs)} runs, {len(rows)} contexts; written "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC</p>",
             "<h2>Device matrix: the latest run of every context</h2>",
             _table(["context", "runs", "latest", "policy", "step ms", "speedup [95% CI]", "efficiency", "peak MiB"],
                    [matrix_cells(row, cell) for row in rows for cell in row.cells]),
             "<h3>Contexts one fact apart</h3><ul>" + "".join(f"<li>{escape(difference_line(d))}</li>" for d in diffs)
             + ("" if diffs else "<li>none</li>") + "</ul>"]
    if not plots:
        parts.append("<p>No plots: matplotlib is not installed (pip install 'mpmodel[plot]').</p>")
    parts.append("<h2>History per context</h2>")
    for row in rows:
        own = [r for r in runs if context_of(r) == context_of(row.run)]
        parts.append(f"<h3>{escape(row.label)}</h3>")
        if row.label in plots:
            data = base64.b64encode(plots[row.label]).decode()
            parts.append(f"<img alt='speedup, step time and memory over this context&#39;s recent runs' "
                         f"src='data:image/png;base64,{data}'>")
        parts.append(_table(["run", "date (UTC)", "commit", "policy", "step ms", "speedup", "gate"], _history_rows(own)))
    found = [(key, s) for key, ss in shifts.items() for s in ss]
    parts.append("<h2>Lasting shifts</h2><ul>" + "".join(
        f"<li>{escape(key.label)} {escape(key.kind)}: {escape(level_text(key.kind, s.before, False))} -&gt; "
        f"{escape(level_text(key.kind, s.after, False))} ({s.relative:+.1%}) from run {escape(runs[s.index].number)}</li>"
        for key, s in found) + ("" if found else "<li>none detected</li>") + "</ul>")
    verdicts = (latest.mpmodel or {}).get("verdicts", [])
    parts.append(f"<h2>Gates of the latest run ({escape(latest.number)})</h2>")
    parts.append(_table(["gate", "outcome", "measured"], [[v.get("test"), v.get("outcome"), v.get("message")] for v in verdicts],
                        [v.get("outcome") for v in verdicts]) if verdicts else "<p>no gate verdicts recorded</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
