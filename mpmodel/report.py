"""A history's series over runs and their lasting shifts, for `mpmodel report` and its plot."""

from __future__ import annotations

from dataclasses import replace

from mpmodel.changepoints import Shift, detect_shifts
from mpmodel.comparison import Thresholds
from mpmodel.history import SavedRun


def device_of(run: SavedRun) -> str:
    """The hardware and Keras backend a run measured, so runs of different machines or backends never
    share a series (a framework upgrade within one backend does: that is a change to detect)."""
    f = run.facts
    hardware = f"GPU {f['GPU']}" if f.get("GPU", "none") != "none" else f"CPU {f.get('CPU', '?')} x{f.get('CPU cores', '?')}"
    return f"{hardware}, {f['backend']}" if "backend" in f else hardware


def series(runs: list[SavedRun]) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(kind, benchmark name) -> [(run index, level)] over the runs that have it. Where the
    history holds several devices, each device has its own series, named '<name> on <device>'."""
    several = len({device_of(r) for r in runs}) > 1
    out: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for i, run in enumerate(runs):
        for (kind, name), value in run.levels().items():
            key = (kind, f"{name} on {device_of(run)}" if several else name)
            out.setdefault(key, []).append((i, value))
    return out


def find_shifts(runs: list[SavedRun], thresholds: Thresholds) -> dict[tuple[str, str], list[Shift]]:
    """Lasting shifts per series, with `index` pointing into `runs`."""
    found = {}
    for (kind, name), points in series(runs).items():
        base = name.split(" on ")[0]
        threshold, _ = thresholds.for_series(kind, base)
        noise = None
        if thresholds.calibration is not None:
            entry = thresholds.calibration.record.get("series", {}).get(f"{kind}|{base}")
            noise = entry.get("spread") if entry else None
        shifts = detect_shifts([v for _, v in points], threshold=threshold, noise=noise)
        if shifts:
            found[(kind, name)] = [replace(s, index=points[s.index][0]) for s in shifts]
    return found
