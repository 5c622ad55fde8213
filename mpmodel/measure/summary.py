"""The run's verdicts in one table a person reads in seconds: per workload, a row per mixed policy (and compile mode,
float32 variant) with its speedup and CI against the floor, the ceiling, the accuracy bound against its tolerance,
the memory ratio, one word and a short reason; each distinct long reason once, as a numbered footnote. The same
rows as text (the terminal) and Markdown (a CI job's summary). Every gate's full message stays in its saved result
(`mpmodel explain TEST_ID`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mpmodel.measure.results import ACCURACY, MEMORY, SPEEDUP, ResultRecord

GATES = (SPEEDUP, ACCURACY, MEMORY)  # the gates a row sums up, in its columns' order
SHORT = {  # (test, outcome) -> the row's short reason
    (SPEEDUP, "FAIL"): "speedup under its floor", (SPEEDUP, "skip"): "no speedup expected",
    (ACCURACY, "FAIL"): "accuracy may drop past the tolerance", (ACCURACY, "skip"): "accuracy bound not gated",
    (MEMORY, "FAIL"): "memory above its ratio", (MEMORY, "skip"): "no saving expected",
}


SKIP_LINE = 130  # a skip's reason as pytest reports it (after its path): one line; the whole message stays for -v
_PARENS = re.compile(r" \([^()]*\)")


def short_reason(test: str, outcome: str, message: str, reason: str) -> str:
    """A gate's outcome in the summary's few words: crawling, not gated (a partial ceiling), or its test's own."""
    if message.startswith("crawling:"):
        return "crawling"
    if reason.startswith("not gated:"):
        return "not gated"
    return SHORT.get((test, outcome), outcome)


def skip_line(message: str, reason: str = "", test: str = "") -> str:
    """A skip's one line: the measurement (its message's first clause, asides in parentheses left out), then why
    in the summary's words for `test` (else the reason's first part) where the measurement does not say it."""
    text = message
    while _PARENS.search(text):
        text = _PARENS.sub("", text)
    head = text.split("; ")[0]
    why = short_reason(test, "skip", message, reason) if (test, "skip") in SHORT else \
        (reason.split(": ")[0] if reason else "")
    if not why or why in head or head.startswith("crawling"):
        return clip(head, SKIP_LINE)
    return f"{clip(head, SKIP_LINE - len(why) - 2)}; {why}"


def clip(text: str, width: int, tail: str = " ...") -> str:
    """`text` cut at a word to at most `width` characters, `tail` saying so where it was cut."""
    return text if len(text) <= width else text[:width - len(tail)].rsplit(" ", 1)[0] + tail


@dataclass(frozen=True)
class GateRecord:
    """One gate as it ended: the test's name (without its parameters), its outcome, full message, the reason
    beside its numbers, and what it saved."""

    test: str
    test_id: str
    outcome: str  # pass, FAIL, skip
    message: str
    reason: str
    extra: dict


@dataclass
class Row:
    workload: str
    step: str  # the policy, with its compile mode and float32 variant where the run has several
    gates: dict[str, GateRecord] = field(default_factory=dict)

    @property
    def word(self) -> str:
        outcomes = [g.outcome for g in self.gates.values()]
        return "FAIL" if "FAIL" in outcomes else "pass" if "pass" in outcomes else "skip"


def rows(records: list[GateRecord]) -> list[Row]:
    """One row per workload and mixed step, in the order the gates ran."""
    gated = [r for r in records if r.test in GATES and r.extra.get("policy") not in (None, "float32")]
    modes = {(r.extra.get("jit"), r.extra.get("fp32")) for r in gated}
    out: dict[tuple, Row] = {}
    for r in gated:
        step = r.extra["policy"] if len(modes) == 1 else f"{r.extra['policy']} (jit {r.extra.get('jit')}, " \
                                                           f"float32 {r.extra.get('fp32')})"
        key = (r.extra.get("workload", "mlp"), step)
        out.setdefault(key, Row(*key)).gates[r.test] = r
    return list(out.values())


def _speedup(g: GateRecord | None) -> tuple[str, str]:
    if g is None:
        return "-", "-"
    rec = ResultRecord(g.extra)
    if rec.speedup is None:
        return "-", "-"
    low, high = rec.speedup_ci
    floor = f">= {rec.min_speedup:g}x" if rec.min_speedup is not None else "none"
    ci = f" [{low:.3f}, {high:.3f}]" if low is not None and high is not None else ""
    ceiling = f"{rec.speedup_ceiling:.3f}x" if rec.speedup_ceiling is not None else "-"
    return f"{rec.speedup:.3f}x{ci} ({floor})", ceiling


def _accuracy(g: GateRecord | None) -> str:
    if g is None:
        return "-"
    rec = ResultRecord(g.extra)
    if rec.accuracy_delta_low is None:
        return "-" if rec.accuracy_delta is None else f"{rec.accuracy_delta:+.4f}"
    return f"{rec.accuracy_delta_low:+.4f} (>= -{rec.accuracy_tol:g})"


def _memory(g: GateRecord | None) -> str:
    rec = ResultRecord(g.extra) if g is not None else None
    return "-" if rec is None or rec.memory_ratio is None else f"{rec.memory_ratio:.2f}"


COLUMNS = ("workload", "policy", "speedup [95% CI] (floor)", "ceiling", "accuracy bound (tol)", "memory", "verdict",
           "why")


def table(records: list[GateRecord]) -> tuple[list[list[str]], list[str]]:
    """The table's cells, a row per mixed step, and its footnotes: each distinct long reason once."""
    notes: list[str] = []
    cells = []
    for row in rows(records):
        why = []
        for test in GATES:
            g = row.gates.get(test)
            if g is None or g.outcome == "pass":
                continue
            text = short_reason(test, g.outcome, g.message, g.reason)
            reason = g.reason or g.message
            if reason not in notes:
                notes.append(reason)
            why.append(f"{text} [{notes.index(reason) + 1}]")
        why = list(dict.fromkeys(why))  # a crawling step's gates share one reason
        speedup, ceiling = _speedup(row.gates.get(SPEEDUP))
        cells.append([row.workload, row.step, speedup, ceiling, _accuracy(row.gates.get(ACCURACY)),
                      _memory(row.gates.get(MEMORY)), row.word, "; ".join(why) or "every gate passed"])
    return cells, notes


def text_lines(records: list[GateRecord]) -> list[str]:
    """The table for a terminal, columns aligned, then its footnotes."""
    cells, notes = table(records)
    if not cells:
        return []
    widths = [max(len(c[i]) for c in [list(COLUMNS), *cells]) for i in range(len(COLUMNS))]
    fmt = lambda row: "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()  # noqa: E731
    return [fmt(COLUMNS), *(fmt(c) for c in cells), *(f"[{i}] {n}" for i, n in enumerate(notes, 1))]


def markdown(title: str, records: list[GateRecord]) -> str:
    """The table as Markdown under '### title', its footnotes, and every gate's full message folded below."""
    cells, notes = table(records)
    esc = lambda t: str(t).replace("|", "&#124;")  # noqa: E731
    lines = [f"### {title}", ""]
    if cells:
        lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(esc(v) if v != "FAIL" else "**FAIL**" for v in c) + " |" for c in cells]
        lines += [""] + [f"{i}. {esc(n)}" for i, n in enumerate(notes, 1)] + [""]
    lines += ["<details><summary>every gate's full message</summary>", "", "| gate | outcome | measured |", "|---|---|---|"]
    lines += [f"| `{g.test_id}` | {g.outcome} | {esc(g.message)} |" for g in records]
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n\n"
