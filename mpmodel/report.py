"""A history's series over runs and their lasting shifts, for `mpmodel report` and its plot."""

from __future__ import annotations

from dataclasses import replace

from mpmodel.changepoints import Shift, detect_shifts
from mpmodel.comparison import Thresholds
from mpmodel.history import SavedRun


def series(runs: list[SavedRun]) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(kind, benchmark name) -> [(run index, level)] over the runs that have it."""
    out: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for i, run in enumerate(runs):
        for key, value in run.levels().items():
            out.setdefault(key, []).append((i, value))
    return out


def find_shifts(runs: list[SavedRun], thresholds: Thresholds) -> dict[tuple[str, str], list[Shift]]:
    """Lasting shifts per series, with `index` pointing into `runs`."""
    found = {}
    for (kind, name), points in series(runs).items():
        threshold, _ = thresholds.for_series(kind, name)
        noise = None
        if thresholds.calibration is not None:
            entry = thresholds.calibration.record.get("series", {}).get(f"{kind}|{name}")
            noise = entry.get("spread") if entry else None
        shifts = detect_shifts([v for _, v in points], threshold=threshold, noise=noise)
        if shifts:
            found[(kind, name)] = [replace(s, index=points[s.index][0]) for s in shifts]
    return found
