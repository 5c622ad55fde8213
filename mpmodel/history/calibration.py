"""Noise calibration: how far apart A/A runs (same code, same machine) land, per series.

From N >= 2 runs made back to back, each series (a step time's median, a speedup) gives N
levels. The recommended threshold for "this changed" is the larger of the widest A/A
difference seen and 3 standard deviations of a two-run difference (3 x sqrt(2) x the
per-run spread, on log values), so two A/A runs cross it rarely. The result is kept beside the
runs in their source (a file in the folder, a record in the database) and used by compare and report,
never below their own default threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import combinations

import numpy as np

from mpmodel.measure.context import label, measured_changes
from mpmodel.store.runs import HistoryError, SavedRun
from mpmodel.store.source import RunSource

SIGMAS = 3.0
KEY = "calibration"  # the record's name in its source


def series_noise(levels: list[float]) -> dict:
    """Spread of one series over A/A runs: relative SD per run, widest pair, recommended threshold."""
    logs = np.log(np.asarray(levels, dtype=float))
    sd = float(np.std(logs, ddof=1)) if logs.size > 1 else 0.0
    widest = max((abs(a - b) for a, b in combinations(logs, 2)), default=0.0)
    threshold = max(widest, SIGMAS * math.sqrt(2.0) * sd)
    return {"runs": int(logs.size), "spread": math.expm1(sd), "widest": math.expm1(widest),
            "threshold": math.expm1(threshold)}


def calibrate(runs: list[SavedRun]) -> dict:
    """A calibration record from A/A runs; HistoryError if they are too few or differ in context."""
    if len(runs) < 2:
        raise HistoryError(f"calibration needs at least 2 A/A runs, got {len(runs)}")
    for run in runs[1:]:
        changes = measured_changes(runs[0].facts, run.facts)
        if changes:
            raise HistoryError(f"{run.path}: not an A/A run of {runs[0].path}: {'; '.join(changes)}")
    levels: dict[tuple[str, str], list[float]] = {}
    for run in runs:
        for key, value in run.levels().items():
            levels.setdefault(key, []).append(value)
    series = {f"{kind}|{name}": series_noise(values) for (kind, name), values in sorted(levels.items()) if len(values) >= 2}
    return {"format": 1, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "context": label(runs[0].facts), "facts": runs[0].facts,
            "runs": [str(r.path) for r in runs], "series": series}


def save(record: dict, source: RunSource) -> str:
    """Keep the record beside the source's runs, whole or not at all; where it is kept."""
    return source.write_record(KEY, record)


@dataclass
class Calibration:
    record: dict
    path: str  # where it is kept: a file in the folder, or the database's record

    def _entry(self, kind: str, name: str) -> dict | None:
        return self.record.get("series", {}).get(f"{kind}|{name}")

    def threshold(self, kind: str, name: str) -> float | None:
        """The recommended threshold for a series, None where it was not calibrated."""
        entry = self._entry(kind, name)
        return float(entry["threshold"]) if entry else None

    def noise(self, kind: str, name: str) -> float | None:
        """The per-run relative spread of a series, None where it was not calibrated."""
        entry = self._entry(kind, name)
        return float(entry["spread"]) if entry else None

    def applies_to(self, run: SavedRun) -> bool:
        """True when the calibration was measured on the run's device and versions."""
        return not measured_changes(self.record.get("facts", {}), run.facts)


def load(source: RunSource) -> Calibration | None:
    """The source's calibration, None if there is none; HistoryError if it is unreadable."""
    record, where = source.read_record(KEY)
    if record is None:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("series"), dict):
        raise HistoryError(f"{where}: not a calibration record (no 'series'); delete it or run `mpmodel calibrate` again")
    return Calibration(record, where)
