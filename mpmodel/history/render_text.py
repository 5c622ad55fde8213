"""Plain-text renderings of a comparison, a history and a calibration, for the terminal and CI logs."""

from __future__ import annotations

from mpmodel.core.profiles import HARNESS_CHECK_PLAN
from mpmodel.history.comparison import Change, Comparison
from mpmodel.measure.context import label, measured_changes
from mpmodel.measure.probe import seconds
from mpmodel.store.runs import (
    ACCURACY,
    DEFAULT_WORKLOAD,
    MEMORY,
    MEMORY_KIND,
    SPEEDUP,
    STEP_KIND,
    STEP_TIME,
    SavedRun,
    Variant,
    varied_axes,
)

WORDS = {(STEP_KIND, "worse"): "SLOWER", (STEP_KIND, "better"): "FASTER",
         ("speedup", "worse"): "DROPPED", ("speedup", "better"): "ROSE",
         (MEMORY_KIND, "worse"): "GREW", (MEMORY_KIND, "better"): "SHRANK"}
UNEXPECTED = "unexpected improvement: check that the baseline is current and the measurement intact"


def p_text(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def run_line(run: SavedRun) -> str:
    commit = f"  commit {run.commit}" if run.commit else ""
    return f"{run.number}  {run.when:%Y-%m-%d %H:%M}{commit}  {run.path}"


# One precision per quantity, in every history view (report, compare, matrix, their Markdown and page).
def ms_text(seconds: float) -> str:
    """A step time in milliseconds, 4 significant digits: 104.7, 0.2345."""
    return f"{seconds * 1e3:.4g}"


def speedup_text(v: float) -> str:
    return f"{v:.3f}x"


def mib_text(size: float) -> str:
    return f"{size / 2**20:.1f}"


def level_text(kind: str, v: float, padded: bool = True) -> str:
    """A level as shown: milliseconds for a step time, 'x' for a speedup, MiB for memory."""
    text = {MEMORY_KIND: f"{mib_text(v)} MiB", STEP_KIND: f"{ms_text(v)} ms"}.get(kind, speedup_text(v))
    return f"{text:>{11 if kind == STEP_KIND else 12 if kind == MEMORY_KIND else 8}s}" if padded else text


NOT_GATED = "a harness-check profile: shown, not gated"


def _ungated_note(cmp: Comparison) -> str:
    n = len(cmp.ungated)
    return f" ({n} change(s) beyond the threshold in {HARNESS_CHECK_PLAN} series: {NOT_GATED})" if n else ""


def change_line(c: Change, width: int = 16) -> str:
    s = c.sample
    verdict = WORDS.get((c.kind, c.direction))
    if verdict is None and c.unconfirmed:
        m = c.confirmation
        verdict = (f"ok: not confirmed: the same steps in test_speedup moved {(m.ratio - 1) * 100:+.1f}% "
                   f"({p_text(m.p_value)}; threshold {c.threshold:.1%}, {c.threshold_source})")
    elif verdict is None:
        why = "not significant" if c.direction == "same" and s.p_value >= c.alpha else "significant but small"
        verdict = f"ok: {why} (threshold {c.threshold:.1%}, {c.threshold_source})"
    else:
        verdict = f"{verdict} (beyond the {c.threshold:.1%} threshold, {c.threshold_source}"
        if c.confirmation is not None:
            verdict += f"; test_speedup's steps {(c.confirmation.ratio - 1) * 100:+.1f}%"
        verdict += ")"
        if not c.gated:
            verdict += f": {NOT_GATED}"
        elif c.direction == "better":
            verdict += f": {UNEXPECTED}"
    return (f"  {c.row:{width}s} {level_text(c.kind, s.before)} -> {level_text(c.kind, s.after)}  {c.percent:+7.1f}% "
            f"[{(s.low - 1) * 100:+.1f}%, {(s.high - 1) * 100:+.1f}%]  {p_text(s.p_value):8s} {verdict}")


def crawling_lines(run: SavedRun, lead: str = "       ") -> list[str]:
    """The mixed policies whose probed step crawled in `run` (over the crawl rule's factor of float32's): neither
    timed nor fitted there, so they have no row."""
    out = []
    for c in (run.mpmodel or {}).get("crawling") or []:
        bound = "over " if c.get("stopped") else ""
        workload = c.get("workload") or DEFAULT_WORKLOAD
        who = c.get("policy") if workload == DEFAULT_WORKLOAD else f"{workload}: {c.get('policy')}"
        mode = f"jit {c['jit']}" if c.get("jit") else f"compiled {c.get('compiled')}"  # runs before 0.5 saved no jit
        out.append(f"{lead}crawling: {who} ({mode}, float32 {c.get('fp32')}) "
                   f"{bound}{seconds(c.get('step_s') or 0)} per step against float32's "
                   f"{seconds(c.get('float32_step_s') or 0)}: not timed or fitted"
                   + (f"; {c['cause']}" if c.get("cause") else ""))
    return out


def format_comparison(cmp: Comparison) -> str:
    width = max([16] + [len(c.row) for c in cmp.changes] + [len(a.row) for a in cmp.accuracy])
    lines = [f"before: {run_line(cmp.before)}", f"after:  {run_line(cmp.after)}",
             f"device: {label(cmp.before.facts)}" + (f"  ->  {label(cmp.after.facts)}"
                                                     if label(cmp.after.facts) != label(cmp.before.facts) else "")]
    lines.append("context differs: " + "; ".join(cmp.context) if cmp.context else
                 "context: same device, drivers, versions, profile and data")
    for when, run in (("before", cmp.before), ("after", cmp.after)):
        lines.extend(crawling_lines(run, f"{when}: "))
    for kind, title in ((STEP_KIND, "step time (median of rounds; change with 95% bootstrap CI; Mann-Whitney p)"),
                        ("speedup", "speedup over float32 (median of interleaved pair ratios from test_speedup)"),
                        (MEMORY_KIND, "peak memory while training: resting plus step peak (median of test_memory's steps)")):
        rows = [c for c in cmp.changes if c.kind == kind]
        if rows:
            lines.append(f"{title}:")
            lines.extend(change_line(c, width) for c in rows)
    if cmp.accuracy:
        lines.append("accuracy, mixed minus float32 (the gate's statistic over seeds; shown here, judged by the suite):")
        lines.extend(f"  {a.row:{width}s} {a.before:+.4f} -> {a.after:+.4f}  ({a.change:+.4f})" for a in cmp.accuracy)
    if cmp.unmatched:
        lines.append("not compared: " + "; ".join(cmp.unmatched))
    if not cmp.changes:
        lines.append("result: nothing to compare: the runs share no step-time, speedup or memory benchmark")
    elif cmp.regressions:
        lines.append(f"result: REGRESSION in {len(cmp.regressions)} series: " + "; ".join(
            f"{c.row} {c.kind} {c.percent:+.1f}% ({p_text(c.sample.p_value)})" for c in cmp.regressions))
    else:
        lines.append("result: no significant regression" + _ungated_note(cmp))
    if cmp.improvements:
        lines.append("note: " + "; ".join(f"{c.row} {c.kind} {c.percent:+.1f}%" for c in cmp.improvements)
                     + f": {UNEXPECTED}")
    return "\n".join(lines)


def report_cells(run: SavedRun, variant: Variant) -> list[str]:
    """A report row's cells: step ms, speedup [CI], accuracy delta, peak MiB, the kernels alone."""
    step, speed, acc = run.find(STEP_TIME, variant), run.find(SPEEDUP, variant), run.find(ACCURACY, variant)
    memory = run.find(MEMORY, variant)
    peak = "-"
    if memory is not None and "footprint_bytes" in memory.extra:
        e = memory.extra
        ratio = f" x{e['footprint_ratio']:.2f}" if "footprint_ratio" in e else ""
        peak = f"{mib_text(e['footprint_bytes'])}{ratio}" + (" FAIL" if e.get("gate") == "FAIL" else "")
    step_ms = ms_text(step.median) if step is not None and step.median else "-"
    speedup = "-"
    if speed is not None and speed.record.speedup is not None:
        r = speed.record
        gate = {"FAIL": " FAIL", "skip": " (not expected)"}.get(r.gate, "")
        low, high = (f"{v:.3f}" if v is not None else "?" for v in r.speedup_ci)
        speedup = f"{speedup_text(r.speedup)} [{low}, {high}]{gate}"
    delta = "-"
    if acc is not None and acc.record.accuracy_delta is not None:
        delta = f"{acc.record.accuracy_delta:+.4f}" + (" FAIL" if acc.record.gate == "FAIL" else "")
    light = "-"  # the speed of light, where the run measured it: matmul TFLOP/s, step efficiency, speedup ceiling
    if step is not None and step.record.matmul_tflops is not None and step.record.efficiency is not None:
        light = f"{step.record.matmul_tflops:.3g} TF/s, eff {step.record.efficiency:.2f}"
    if speed is not None and speed.record.speedup_ceiling is not None:
        light += f", ceiling {speedup_text(speed.record.speedup_ceiling)}"
    return [step_ms, speedup, delta, peak, light]


def format_report(runs: list[SavedRun], shifts: dict, skipped: list,
                  calibration_note: str, last: int | None = None) -> str:
    """One table of the last `last` runs (all where None) over time, context lines where it changed, then the
    lasting shifts found among all of `runs`."""
    first = 0 if last is None else max(0, len(runs) - last)
    shown = runs[first:]
    axes = varied_axes(shown)  # compile modes and float32 variants get their own rows where the history has several
    width = max([16] + [len(v.label(axes)) for run in shown for v in run.variants])
    header = (f"{'run':6s} {'date (UTC)':16s} {'commit':13s} {'policy':{width}s} {'step ms':>8s}  "
              f"{'speedup [95% CI]':38s} {'acc delta':9s}  {'peak MiB':14s} kernels alone")
    lines = [header, "-" * len(header)]
    if first:
        lines.append(f"       ({first} earlier runs read and searched for shifts, not shown: --last N shows more)")
    previous = None
    for run in shown:
        facts = run.facts
        if previous is None:
            lines.append(f"       context: {label(facts)}; profile {facts.get('profile', '?')}, data {facts.get('data', '?')}")
        else:
            changes = measured_changes(previous.facts, facts)
            if changes:
                lines.append(f"       changed: {'; '.join(changes)}")
        for i, variant in enumerate(run.variants):
            lead = f"{run.number:6s} {run.when:%Y-%m-%d %H:%M} {run.commit or '-':13s}" if i == 0 else " " * 37
            step_ms, speedup, delta, peak, light = report_cells(run, variant)
            lines.append(f"{lead} {variant.label(axes):{width}s} {step_ms:>8s}  {speedup:38s} {delta:9s}  {peak:14s} {light}")
        lines.extend(crawling_lines(run))
        previous = run
    lines.append("")
    found = [(key, s) for key, ss in shifts.items() for s in ss]
    if found:
        lines.append("lasting shifts (change-point detection; a shift needs 2 or more runs at the new level):")
        for key, s in found:  # key: mpmodel.history.shifts.Series
            lines.append(f"  {key.label} {key.kind}: {level_text(key.kind, s.before, False)} -> "
                         f"{level_text(key.kind, s.after, False)} ({s.relative:+.1%}) "
                         f"from run {runs[s.index].number}{_cause(runs, s.index)}")
    else:
        lines.append("lasting shifts: none detected" + ("" if len(runs) >= 4 else " (needs 4 or more runs)"))
    lines.append(calibration_note)
    for path, reason in skipped:
        lines.append(f"skipped {path}: {reason}")
    return "\n".join(lines)


def _cause(runs: list[SavedRun], index: int) -> str:
    changes = measured_changes(runs[index - 1].facts, runs[index].facts) if index > 0 else []
    return f", where {'; '.join(changes)}" if changes else " (no recorded context change there: look at the code)"


def format_calibration(record: dict) -> str:
    lines = [f"calibration from {len(record['runs'])} A/A runs on {record['context']}:",
             f"  {'series':52s} {'runs':>4s} {'spread':>7s} {'widest A/A':>10s} {'threshold':>9s}"]
    for key, s in record["series"].items():
        kind, name = key.split("|", 1)
        lines.append(f"  {kind + ' ' + name:52s} {s['runs']:4d} {s['spread']:7.1%} {s['widest']:10.1%} {s['threshold']:9.1%}")
    return "\n".join(lines)
