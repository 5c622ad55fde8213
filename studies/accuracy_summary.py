"""Summarise studies/accuracy_spread.py runs: spreads per backend, data and recipe, and what the accuracy
gate (mpmodel.measure.gates.accuracy_verdict: the 95% lower bound of the mean paired delta against the
tolerance) decides on every n-seed subset of the measured seeds.

Rows: A/A is float32 against float32 from the same weights on another data order; `same` is float32 twice
on the same order (0 where the backend is deterministic); bf16 / fp16 are each mixed policy against float32
on the same order, the gate's pairing; `planted` is the mixed policy with the planted defect
(studies/planted_accuracy.py) against float32. Subset rates: the share of n-seed subsets whose bound falls
below -tol (false alarms for A/A and the healthy policies, detections for the planted ones); `tol@5%` is
the smallest tolerance that keeps the A/A subsets' false alarms at 5% or under. `model` rates assume
normal deltas with the A/A sd (a noncentral t).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import defaultdict

import numpy as np
from scipy.stats import nct, t

from mpmodel.measure.looks import ACCURACY_CONFIDENCE
from mpmodel.measure.stats import mean_lower_bound

TOL, PLANT_DROP = 0.01, 0.02
SUBSET_SIZES = (3, 5)
SHORT = {"mixed_bfloat16": "bf16", "mixed_float16": "fp16"}


def load(paths) -> dict:
    """(backend, data, recipe) -> seed -> run label -> record (the data name the workload: each its own set)."""
    groups: dict = defaultdict(lambda: defaultdict(dict))
    for path in paths:
        for line in open(path):
            r = json.loads(line)
            groups[(r["backend"], r["data"], r["recipe"])][r["seed"]][r["run"]] = r
    return groups


def deltas(seeds: dict, run: str, field: str = "test_accuracy") -> np.ndarray:
    return np.array([s[run][field] - s["f32"]["test_accuracy"] for s in seeds.values() if run in s and field in s[run]])


def subset_fail_rate(d: np.ndarray, n: int, tol: float) -> tuple[int, int]:
    """(failing subsets, subsets): n-seed subsets whose lower bound lies below -tol."""
    if d.size < n:
        return 0, 0
    lows = [mean_lower_bound(d[list(c)], ACCURACY_CONFIDENCE).low for c in itertools.combinations(range(d.size), n)]
    return sum(low < -tol for low in lows), len(lows)


def supported_tolerance(d: np.ndarray, n: int) -> float:
    """The smallest tolerance at which at most 5% of the n-seed subsets' bounds fall below it."""
    lows = [mean_lower_bound(d[list(c)], ACCURACY_CONFIDENCE).low for c in itertools.combinations(range(d.size), n)]
    return float(np.quantile(-np.array(lows), 0.95))


def model_rate(sd: float, n: int, true_delta: float, tol: float) -> float:
    """P(bound < -tol) for normal deltas of mean `true_delta` and sd `sd` (noncentral t)."""
    if sd == 0:
        return float(true_delta < -tol)
    crit = t.ppf(ACCURACY_CONFIDENCE, n - 1)
    return float(nct.cdf(crit, n - 1, (true_delta + tol) * np.sqrt(n) / sd))


def spread(d: np.ndarray) -> str:
    if d.size == 0:
        return "-"
    sd = d.std(ddof=1) if d.size > 1 else 0.0
    return f"{d.mean():+.4f} sd {sd:.4f} [{d.min():+.4f}, {d.max():+.4f}]"


def rate(fails: int, total: int) -> str:
    return f"{fails}/{total} ({fails / total:.0%})" if total else "-"


def summarise(paths) -> int:
    groups = load(paths)
    print("| backend | data | recipe | seeds | s per fit f32 / bf16 / fp16 | same order | A/A | bf16 - f32 | fp16 - f32 | "
          "planted bf16 / fp16 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (backend, data, recipe), seeds in sorted(groups.items()):
        secs = {run: np.median([s[run]["seconds"] for s in seeds.values() if run in s]) for run in ("f32", *SHORT)
                if any(run in s for s in seeds.values())}
        same = deltas(seeds, "f32_same")
        same_cell = f"max abs {np.abs(same).max():.4f} ({same.size})" if same.size else "-"
        planted = " / ".join(spread(deltas(seeds, p, "planted_accuracy")) for p in SHORT)
        print(f"| {backend} | {data} | {recipe} | {len(seeds)} | {' / '.join(f'{v:.1f}' for v in secs.values())} | "
              f"{same_cell} | {spread(deltas(seeds, 'f32_aa'))} | "
              f"{spread(deltas(seeds, 'mixed_bfloat16'))} | {spread(deltas(seeds, 'mixed_float16'))} | {planted} |")
    print()
    print(f"Gate at tolerance {TOL} ({ACCURACY_CONFIDENCE:.0%} lower bound), over every n-seed subset of the measured seeds:")
    print()
    print("| backend | data | recipe | n | tol@5% (A/A) | false alarms: A/A | bf16 | fp16 | detected: planted bf16 | "
          f"planted fp16 | model at the A/A sd: false alarms / detection of {PLANT_DROP} |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (backend, data, recipe), seeds in sorted(groups.items()):
        aa = deltas(seeds, "f32_aa")
        for n in SUBSET_SIZES:
            if aa.size < n:
                continue
            sd = aa.std(ddof=1)
            cells = [rate(*subset_fail_rate(deltas(seeds, run), n, TOL)) for run in ("f32_aa", *SHORT)]
            cells += [rate(*subset_fail_rate(deltas(seeds, p, "planted_accuracy"), n, TOL)) for p in SHORT]
            print(f"| {backend} | {data} | {recipe} | {n} | {supported_tolerance(aa, n):.4f} | {' | '.join(cells)} | "
                  f"{model_rate(sd, n, 0.0, TOL):.1%} / {model_rate(sd, n, -PLANT_DROP, TOL):.1%} |")
    print()
    for n in (2, 3, 5, 8):
        sd = largest_sd(n, TOL)
        print(f"n={n}: false alarms stay at 5% or under while the paired deltas' sd is at most {sd:.4f} "
              f"(normal deltas, tolerance {TOL}); a {PLANT_DROP} drop is then caught {model_rate(sd, n, -PLANT_DROP, TOL):.1%}")
    return 0


def largest_sd(n: int, tol: float, rate: float = 0.05) -> float:
    """The largest sd of normal paired deltas at which the gate's false alarms stay at `rate` or under."""
    sds = np.arange(1e-4, 0.05, 1e-5)
    return float(sds[np.array([model_rate(sd, n, 0.0, tol) for sd in sds]) <= rate].max())


if __name__ == "__main__":
    sys.exit(summarise(sys.argv[1:]))
