"""The device matrix: the latest run of every context side by side, and what one changed fact did.

A context is the set of facts that decide what a run measures (GPU model and count, compute capability,
driver, CUDA, cuDNN, TF32, CPU and its flags, backend and framework versions, Keras, profile, data,
timing method: `MEASURED_FACTS`); host names and clocks are kept but do not split contexts. Two
contexts that differ in exactly one fact are compared on what crosses devices, the ratios measured
within a run: each mixed policy's speedup, by its interleaved pair ratios (Mann-Whitney), named
e.g. "driver 550.54 -> 560.28: mixed_bfloat16 speedup 1.95x -> 1.71x, -12%, p<0.001". Step times of
different contexts are shown, never called regressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mpmodel.history.twosample import SampleChange, sample_change
from mpmodel.measure.context import MEASURED_FACTS, diff, label
from mpmodel.store.runs import MEMORY, SPEEDUP, STEP_TIME, SavedRun, Variant

DEFAULT_ALPHA = 0.05


def context_of(run: SavedRun) -> tuple[tuple[str, str], ...]:
    """The facts that make runs comparable, as a sortable key."""
    return tuple(sorted((k, v) for k, v in run.facts.items() if k in MEASURED_FACTS))


@dataclass
class Cell:
    """One policy (and its axes) in one context's latest run."""

    variant: Variant
    step_s: float | None = None
    speedup: float | None = None
    ci: tuple[float, float] | None = None
    efficiency: float | None = None
    footprint_bytes: float | None = None
    pair_ratios: list[float] = field(default_factory=list)


@dataclass
class Row:
    context: dict[str, str]
    run: SavedRun
    runs: int  # how many runs this context holds
    cells: list[Cell]
    label: str = ""  # the device and frameworks, and every fact that tells this context from the others


@dataclass(frozen=True)
class Difference:
    """Two contexts one fact apart, and each shared mixed policy's speedup change."""

    fact: str  # 'driver 550.54 -> 560.28'
    before: Row
    after: Row
    changes: list[tuple[str, SampleChange, bool]]  # (variant label, speedup change, significant)


def cells_of(run: SavedRun) -> list[Cell]:
    out = []
    for variant in run.variants:
        cell = Cell(variant)
        step, speed, memory = run.find(STEP_TIME, variant), run.find(SPEEDUP, variant), run.find(MEMORY, variant)
        if step is not None and step.rounds:
            cell.step_s = step.median
            cell.efficiency = step.record.efficiency
        if speed is not None and speed.record.speedup is not None:
            cell.speedup, cell.ci = speed.record.speedup, speed.record.speedup_ci
            cell.pair_ratios = speed.record.pair_ratios
        if memory is not None and memory.record.footprint_bytes is not None:
            cell.footprint_bytes = memory.record.footprint_bytes
        out.append(cell)
    return out


def matrix_rows(latest: list[tuple[SavedRun, int]]) -> list[Row]:
    """One row per context from its latest run, whole, and how many runs it holds (a source's
    `latest_per_context`, which a database answers in SQL)."""
    rows = [Row(dict(context_of(run)), run, count, cells_of(run)) for run, count in latest]
    varying = [k for k in MEASURED_FACTS if len({r.context.get(k) for r in rows}) > 1]
    for row in rows:
        base = label(row.context)
        extra = [f"{k} {row.context.get(k, 'none')}" for k in varying if f"{k} {row.context.get(k)}" not in base]
        row.label = " | ".join([base, *extra])
    return rows


def differences(rows: list[Row], alpha: float = DEFAULT_ALPHA) -> list[Difference]:
    """Every pair of contexts that differ in exactly one fact, with their shared speedups compared."""
    out = []
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            changed = diff(a.context, b.context)
            if len(changed) != 1:
                continue
            before, after = (a, b) if a.run.when <= b.run.when else (b, a)
            after_cells = {c.variant: c for c in after.cells}
            changes = []
            for cell in before.cells:
                other = after_cells.get(cell.variant)
                if other is None or len(cell.pair_ratios) < 2 or len(other.pair_ratios) < 2:
                    continue
                change = sample_change(cell.pair_ratios, other.pair_ratios)
                changes.append((cell.variant.label(), change, change.p_value < alpha))
            out.append(Difference(diff(before.context, after.context)[0], before, after, changes))
    return out
