"""A history's series over runs and their lasting shifts, for `mpmodel report` and its plot."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from mpmodel.changepoints import Shift, detect_shifts
from mpmodel.comparison import Thresholds
from mpmodel.history import SavedRun


def device_of(run: SavedRun) -> str:
    """The hardware and Keras backend a run measured, so runs of different machines or backends never
    share a series (a framework upgrade within one backend does: that is a change to detect)."""
    f = run.facts
    hardware = f"GPU {f['GPU']}" if f.get("GPU", "none") != "none" else f"CPU {f.get('CPU', '?')} x{f.get('CPU cores', '?')}"
    return f"{hardware}, {f['backend']}" if "backend" in f else hardware


class Series(NamedTuple):
    kind: str  # STEP_KIND or SPEEDUP_KIND
    name: str  # the benchmark's name
    owner: str  # the device and backend, where the history holds several; "" otherwise

    @property
    def label(self) -> str:
        return f"{self.name} on {self.owner}" if self.owner else self.name


def series(runs: list[SavedRun]) -> dict[Series, list[tuple[int, float]]]:
    """Each series -> [(run index, level)] over the runs that have it. Where the history holds
    several devices or backends, each has its own series."""
    several = len({device_of(r) for r in runs}) > 1
    out: dict[Series, list[tuple[int, float]]] = {}
    for i, run in enumerate(runs):
        for (kind, name), value in run.levels().items():
            out.setdefault(Series(kind, name, device_of(run) if several else ""), []).append((i, value))
    return out


def find_shifts(runs: list[SavedRun], thresholds: Thresholds) -> dict[Series, list[Shift]]:
    """Lasting shifts per series, with `index` pointing into `runs`."""
    found = {}
    for key, points in series(runs).items():
        threshold, _ = thresholds.for_series(key.kind, key.name)
        noise = thresholds.calibration.noise(key.kind, key.name) if thresholds.calibration is not None else None
        shifts = detect_shifts([v for _, v in points], threshold=threshold, noise=noise)
        if shifts:
            found[key] = [replace(s, index=points[s.index][0]) for s in shifts]
    return found
