"""`mpmodel report --plot`: speedup, step time and (where measured) step peak memory over runs, marking
context changes and shifts.

Needs matplotlib (`pip install 'mpmodel[plot]'`); it is imported only here, with the Agg backend.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from mpmodel.core.atomic import write_atomically
from mpmodel.measure.context import label, measured_changes
from mpmodel.store.runs import MEMORY, MEMORY_KIND, SPEEDUP, STEP_KIND, STEP_TIME, SavedRun, Variant, varied_axes

COLORS = {"float32": "tab:blue", "mixed_bfloat16": "tab:green", "mixed_float16": "tab:orange"}
STYLES = (("o", "-"), ("s", "--"), ("^", ":"), ("D", "-."))  # a policy's compile modes and float32 variants apart


class PlotUnavailable(Exception):
    """matplotlib is not installed."""


def plot_history(runs: list[SavedRun], shifts: dict, path) -> Path:
    """Draw the history into a PNG at `path`, written atomically; returns the path."""
    try:
        import matplotlib  # noqa: PLC0415 (optional: mpmodel[plot], needed only for --plot)

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415 (after matplotlib.use: the Agg backend, no display)
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'mpmodel[plot]'") from None

    x = np.arange(len(runs))
    with_memory = any(res.test == MEMORY for r in runs for res in r.results.values())
    fig, panels = plt.subplots(3 if with_memory else 2, 1, sharex=True,
                               figsize=(max(8, 0.7 * len(runs) + 4), 11 if with_memory else 8))
    top, middle = panels[0], panels[1]
    bottom = panels[-1]
    memory_ax = panels[2] if with_memory else None
    axes, seen = varied_axes(runs), Counter()  # variants drawn so far, per policy
    for variant in sorted({v for r in runs for v in r.variants}, key=Variant.sort_key):
        color, name = COLORS.get(variant.policy), variant.label(axes)
        marker, line = STYLES[seen[variant.policy] % len(STYLES)]
        seen[variant.policy] += 1
        pts = [(i, r.find(SPEEDUP, variant)) for i, r in enumerate(runs)]
        pts = [(i, res.record) for i, res in pts  # a speedup saved without its CI (an older or edited run) is left out
               if res is not None and res.record.speedup is not None and None not in res.record.speedup_ci]
        if pts:
            xs = [i for i, _ in pts]
            ys = np.array([r.speedup for _, r in pts])
            err = np.array([[r.speedup - r.speedup_ci[0] for _, r in pts], [r.speedup_ci[1] - r.speedup for _, r in pts]])
            top.errorbar(xs, ys, yerr=err, marker=marker, linestyle=line, capsize=3, color=color, label=f"{name} (95% CI)")
            mins = [r.min_speedup for _, r in pts]
            if any(m is not None for m in mins):
                top.step(xs, [m if m is not None else np.nan for m in mins], where="mid", linestyle="--",
                         color=color, alpha=0.6, label=f"{name} gate minimum")
        steps = [(i, r.find(STEP_TIME, variant)) for i, r in enumerate(runs)]
        steps = [(i, res) for i, res in steps if res is not None and res.median]
        if steps:
            xs = [i for i, _ in steps]
            q = np.array([np.percentile(res.rounds, [25, 50, 75]) if res.rounds else [res.median] * 3  # a store summary
                          for _, res in steps]) * 1e3
            middle.errorbar(xs, q[:, 1], yerr=[q[:, 1] - q[:, 0], q[:, 2] - q[:, 1]], marker=marker, linestyle=line, capsize=3,
                            color=color, label=f"{name} (median, IQR)")
        peaks = [(i, r.find(MEMORY, variant)) for i, r in enumerate(runs)]
        peaks = [(i, res.record) for i, res in peaks
                 if res is not None and res.record.footprint_samples and res.record.footprint_bytes is not None]
        if peaks and memory_ax is not None:
            xs = [i for i, _ in peaks]
            m = np.array([[min(r.footprint_samples), r.footprint_bytes, max(r.footprint_samples)]
                          for _, r in peaks]) / 2**20
            memory_ax.errorbar(xs, m[:, 1], yerr=[m[:, 1] - m[:, 0], m[:, 2] - m[:, 1]], marker=marker, linestyle=line,
                               capsize=3, color=color, label=f"{name} (median, range)")
    top.axhline(1.0, color="grey", linewidth=0.8)
    top.set_ylabel("speedup over float32 (x)")
    middle.set_ylabel("training step time (ms)")
    middle.set_ylim(bottom=0)
    if memory_ax is not None:
        memory_ax.set_ylabel("peak memory: resting + step (MiB)")
        memory_ax.set_ylim(bottom=0)
    for ax in panels:
        ax.grid(True, alpha=0.3)
    for i in range(1, len(runs)):
        changes = measured_changes(runs[i - 1].facts, runs[i].facts)
        if changes:
            for ax in panels:
                ax.axvline(i - 0.5, color="purple", linestyle=":", linewidth=1.5)
            text = "; ".join(changes[:2]) + (f" (+{len(changes) - 2} more)" if len(changes) > 2 else "")
            top.text(i - 0.5, 0.98, text, transform=top.get_xaxis_transform(), rotation=90, va="top", ha="right",
                     fontsize=7, color="purple")
    for key, found in shifts.items():  # key: mpmodel.history.shifts.Series
        ax, scale = {STEP_KIND: (middle, 1e3), MEMORY_KIND: (memory_ax, 2**-20)}.get(key.kind, (top, 1))
        if ax is None:
            continue
        for s in found:
            ax.annotate(f"shift {s.relative:+.0%}", (s.index, s.after * scale),
                        xytext=(6, 10), textcoords="offset points", fontsize=8, color="red",
                        arrowprops={"arrowstyle": "->", "color": "red"})
    bottom.set_xticks(x, [f"{r.number}\n{r.when:%m-%d %H:%M}" for r in runs], fontsize=8)
    bottom.set_xlabel("saved run (number, date UTC); dotted lines: device, driver or framework changed")
    for ax in panels:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(f"mixed-precision history: {label(runs[-1].facts)}", fontsize=10)
    fig.tight_layout()
    try:
        return write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png", bbox_inches="tight"))
    finally:
        plt.close(fig)
