"""Finding lasting shifts: a history cut into series (per benchmark, and per device where it holds
several), each searched for change points, for `mpmodel report` and its plot."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from mpmodel.history.changepoints import Shift, detect_shifts
from mpmodel.history.comparison import Thresholds
from mpmodel.measure.context import series_owner
from mpmodel.store.runs import SavedRun


class Series(NamedTuple):
    kind: str  # STEP_KIND, SPEEDUP_KIND or MEMORY_KIND (mpmodel.measure.results)
    name: str  # the benchmark's name
    owner: str  # the device and backend, where the history holds several; "" otherwise

    @property
    def label(self) -> str:
        return f"{self.name} on {self.owner}" if self.owner else self.name


def series(runs: list[SavedRun]) -> dict[Series, list[tuple[int, float]]]:
    """Each series -> [(run index, level)] over the runs that have it. Where the history holds
    several devices or backends, each has its own series."""
    several = len({series_owner(r.facts) for r in runs}) > 1
    out: dict[Series, list[tuple[int, float]]] = {}
    for i, run in enumerate(runs):
        for (kind, name), value in run.levels().items():
            out.setdefault(Series(kind, name, series_owner(run.facts) if several else ""), []).append((i, value))
    return out


# Lasting shifts are searched among each series' most recent runs: a fleet's store of 10,000 runs answers in
# seconds, and a shift older than this many runs is history the report's table still shows.
SHIFT_WINDOW = 1000


def find_shifts(runs: list[SavedRun], thresholds: Thresholds, window: int = SHIFT_WINDOW) -> dict[Series, list[Shift]]:
    """Lasting shifts per series among its last `window` runs, with `index` pointing into `runs`."""
    found = {}
    for key, points in series(runs).items():
        points = points[-window:]
        threshold, _ = thresholds.for_series(key.kind, key.name)
        noise = thresholds.calibration.noise(key.kind, key.name) if thresholds.calibration is not None else None
        shifts = detect_shifts([v for _, v in points], threshold=threshold, noise=noise)
        if shifts:
            found[key] = [replace(s, index=points[s.index][0]) for s in shifts]
    return found
