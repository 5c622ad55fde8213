"""Replay recorded pairs and fits through the gates' fixed and sequential designs (issue 35; docs/gates.md).

    python studies/sequential_replay.py [--draws 2000] RUN.json... ACCURACY.jsonl...

Speedup: each saved run's test_speedup results (their per-pair ratios, float32 over mixed step time) are redrawn
(a smoothed bootstrap) into series of the run's own length, and each series decided under both designs: against
the recorded floor, as recorded (a fail is a false alarm) and with every mixed step slowed by a planted 10% (a
fail is a detection where the slowdown crosses the floor); against a tight floor 5% under the recorded median,
likewise (the slowed median lies 4.5% under it); and scaled so that the median ratio is that floor itself (a pass
is a false pass, which the gate holds at 2.5%).

Accuracy: studies/accuracy_spread.py's decay-recipe seeds (mpmodel's paired deltas per seed) are drawn without
replacement, in random order, into runs of 3 seeds (small) and 5 (seed), and each run decided under both designs at
tolerance 0.01: the A/A deltas and the healthy bf16 and fp16 ones (a fail is a false alarm), the planted 2-point
loss (a fail is a detection), and the A/A deltas shifted to a mean drop of exactly the tolerance (a pass is a
false pass, held at 5%; not where the A/A deltas have no spread, which a t bound cannot model). Every order of 3
seeds of 12 is tried (1,320); 5 seeds are drawn. Prints Markdown tables: rates and the mean pairs or seeds each design measured.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_summary import deltas, load  # noqa: E402

from mpmodel.measure.looks import accuracy_design, speedup_design  # noqa: E402
from mpmodel.measure.sequential import DESIGNS, run  # noqa: E402
from mpmodel.measure.stats import mean_lower_bound, paired_ratio  # noqa: E402

FLOOR_MARGIN, PLANTED_SLOWDOWN, TOLERANCE = 1.05, 1.10, 0.01
RESOLUTION = 1e-4  # one test image of the synthetic sets' 10,000, the gate's least spread
MIN_SPREAD = 0.0005  # an A/A sd under 5 test images in 10,000: no spread to put at the tolerance
SEED_COUNTS = (3, 5)


def speedup_series(paths) -> list[tuple[str, np.ndarray, float | None]]:
    """(label, per-pair ratios float32 / mixed, the recorded floor or None) of every test_speedup result in the
    saved runs."""
    found = []
    for path in paths:
        for bench in json.loads(Path(path).read_text()).get("benchmarks", []):
            info = bench.get("extra_info", {})
            if "float32_times" in info and "mixed_times" in info:
                label = f"{info.get('backend', '?')} {bench['name'].split('[')[-1].rstrip(']')}"
                ratios = np.asarray(info["float32_times"]) / np.asarray(info["mixed_times"])
                found.append((label, ratios, info.get("min_speedup")))
    return found


def redraw(ratios: np.ndarray, draws: int, rng) -> np.ndarray:
    """`draws` series of the recorded length, a smoothed bootstrap: pairs drawn with replacement, each jittered by
    a quarter of the series' own spread (its log ratios' median absolute deviation), so that no draw ties a
    threshold by repeating a recorded value."""
    logs = np.log(ratios)
    spread = float(np.median(np.abs(logs - np.median(logs)))) / 4
    picks = rng.integers(0, ratios.size, (draws, ratios.size))
    return ratios[picks] * np.exp(rng.normal(0.0, spread, picks.shape))


def speedup_decision(ratios, design, floor) -> tuple[bool, int]:
    """(passed, pairs measured) for one series of ratios under `design`."""
    def interval(count, confidence):
        e = paired_ratio(ratios[:count], np.ones(count), confidence)
        return e.low, e.high
    stop = run(design, lambda count: None, interval, floor)
    return stop.low >= floor, stop.count


def accuracy_decision(d, design) -> tuple[bool, int]:
    def interval(count, confidence):
        b = mean_lower_bound(d[:count], confidence, RESOLUTION)
        return b.low, b.high
    stop = run(design, lambda count: None, interval, -TOLERANCE)
    return stop.low >= -TOLERANCE, stop.count


def rate(outcomes: list[tuple[bool, int]], want_fail: bool) -> tuple[float, float]:
    """(share of the runs that failed, or passed where `want_fail` is False; mean count measured)."""
    hits = [(not passed) if want_fail else passed for passed, _ in outcomes]
    return float(np.mean(hits)), float(np.mean([count for _, count in outcomes]))


def used(parts) -> float:
    """The mean pairs or seeds measured over every scenario's runs."""
    return round(float(np.mean([count for part in parts for _, count in part])), 2)


def cell(outcomes, want_fail=True) -> str:
    share, _ = rate(outcomes, want_fail)
    return f"{share:.1%}"


def speedup_table(series, draws: int, rng) -> list[str]:
    rows = ["| series | pairs | median ratio | recorded floor: fails as recorded, fixed / sequential | planted 10% slower "
            "| floor 5% under the median: fails as recorded | planted 10% slower | false passes, the median at the "
            "floor | mean pairs: fixed / sequential |", "|---|---|---|---|---|---|---|---|"]
    for label, ratios, recorded in series:
        n, median = ratios.size, float(np.median(ratios))
        tight = median / FLOOR_MARGIN
        healthy = redraw(ratios, draws, rng)
        at_floor = healthy * tight / float(np.median(healthy))  # the redrawn population's median put at the floor
        scenarios = [(healthy, recorded), (healthy / PLANTED_SLOWDOWN, recorded), (healthy, tight),
                     (healthy / PLANTED_SLOWDOWN, tight), (at_floor, tight)]
        cells = {name: [[speedup_decision(r, speedup_design(name, n), floor) for r in draws_]
                        if floor is not None else None for draws_, floor in scenarios] for name in DESIGNS}

        def pair(i, want_fail=True, cells=cells):
            f, s = cells["fixed"][i], cells["sequential"][i]
            return "no floor" if f is None else f"{cell(f, want_fail)} / {cell(s, want_fail)}"
        floor_text = f"{recorded}x" if recorded is not None else "none"
        rows.append(f"| {label} | {n} | {median:.3f}x | {floor_text}: {pair(0)} | {pair(1)} | {tight:.3f}x: {pair(2)} | "
                    f"{pair(3)} | {pair(4, False)} | {used([c for c in cells['fixed'] if c])} / "
                    f"{used([c for c in cells['sequential'] if c]):.1f} |")
    return rows


def accuracy_table(groups, draws: int, rng) -> list[str]:
    rows = ["| backend | data | seeds | false alarms (A/A, bf16, fp16): fixed / sequential | detected, planted 2 points: "
            "fixed / sequential | false passes at the tolerance: fixed / sequential | mean seeds: fixed / sequential |",
            "|---|---|---|---|---|---|---|"]
    for (backend, data, recipe), seeds in sorted(groups.items()):
        if recipe != "decay":
            continue
        healthy = [deltas(seeds, run) for run in ("f32_aa", "mixed_bfloat16", "mixed_float16")]
        planted = [deltas(seeds, run, "planted_accuracy") for run in ("mixed_bfloat16", "mixed_float16")]
        aa = healthy[0]
        boundary = aa - aa.mean() - TOLERANCE
        for n in SEED_COUNTS:
            if aa.size < n:
                continue
            orders = (list(itertools.permutations(range(aa.size), n)) if math.perm(aa.size, n) <= draws else
                      [rng.permutation(aa.size)[:n] for _ in range(draws)])  # every order where they fit the draws
            orders = [list(o) for o in orders]
            cells = {}
            for name in DESIGNS:
                design = accuracy_design(name, n)
                cells[name] = ([accuracy_decision(d[o], design) for d in healthy for o in orders],
                               [accuracy_decision(d[o], design) for d in planted for o in orders],
                               [accuracy_decision(boundary[o], design) for o in orders])
            f, s = cells["fixed"], cells["sequential"]
            edge = (f"{cell(f[2], False)} / {cell(s[2], False)}" if aa.std(ddof=1) >= MIN_SPREAD else
                    f"no spread (A/A sd {aa.std(ddof=1):.4f})")
            rows.append(f"| {backend} | `{data}` | {n} ({len(orders)} orders) | {cell(f[0])} / {cell(s[0])} | "
                        f"{cell(f[1])} / {cell(s[1])} | {edge} | {used(f):.2f} / {used(s):.2f} |")
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2000, help="redrawn series per row (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="the redraws' random seed")
    parser.add_argument("paths", nargs="+", help="saved runs (.json) and accuracy_spread results (.jsonl)")
    args = parser.parse_args(argv)
    runs = [p for p in args.paths if p.endswith(".json")]
    fits = [p for p in args.paths if p.endswith(".jsonl")]
    missing = [p for p in runs + fits if not Path(p).is_file()]
    if missing or len(runs) + len(fits) != len(args.paths):
        parser.error(f"not a saved run (.json) or an accuracy_spread result (.jsonl) file: {(missing or args.paths)[0]}")
    rng = np.random.default_rng(args.seed)
    series = speedup_series(runs)
    if series:
        print(f"Speedup gate: {args.draws} redrawn series per row, floor {FLOOR_MARGIN}x under the recorded median\n")
        print("\n".join(speedup_table(series, args.draws, rng)) + "\n")
    if fits:
        print(f"Accuracy gate: {args.draws} random seed orders per row, tolerance {TOLERANCE}\n")
        print("\n".join(accuracy_table(load(fits), args.draws, rng)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
