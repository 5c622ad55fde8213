"""Reads a noise-study storage (benchmarks/noise_study.py) and prints the README's reliability table.

- Speedup and accuracy gates: how often each failed in the A/A runs (every such failure is a false
  alarm: nothing changed between runs).
- `mpmodel compare --fail-on-regression`: how often it would exit 1 between two A/A runs, for each
  consecutive pair (the CI use: previous vs latest) and for every pair, at several thresholds.
- Detection: how often it exits 1 between an A/A run and a run whose mixed-precision steps were
  slowed on purpose (planted), and whether the float32 series (untouched) stay quiet.

    python benchmarks/noise_analysis.py /tmp/noise [--thresholds 0.05,0.10,0.15,0.20]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

from mpmodel.comparison import Thresholds, compare_runs
from mpmodel.history import SPEEDUP_KIND, STEP_KIND, load_run


def load_study(storage: Path):
    """(A/A runs, planted runs as (fraction, run)), in the order they ran."""
    entries = [json.loads(line) for line in (storage / "study-log.jsonl").read_text().splitlines() if line.strip()]
    files = {p.name: p for p in storage.rglob("*.json") if p.name[:4].isdigit()}
    aa, planted = [], []
    for e in entries:
        if e["exit"] != 0 and e["entry"] == "A":
            print(f"note: A/A run {e['index']} exited {e['exit']}: {e['summary']}", file=sys.stderr)
        run = load_run(files[e["saved"]])
        if e["entry"] == "A":
            aa.append(run)
        else:
            planted.append((float(e["entry"][1:]), run))
    return aa, planted


def gate_failures(runs, test: str) -> tuple[int, int, list[str]]:
    """(failed, judged, messages of failures) over the runs' saved verdicts of one gate."""
    failed, judged, messages = 0, 0, []
    for run in runs:
        for v in run.mpmodel.get("verdicts", []):
            if v["test"].startswith(test) and v["outcome"] in ("pass", "FAIL"):
                judged += 1
                if v["outcome"] == "FAIL":
                    failed += 1
                    messages.append(f"{run.number} {v['test']}: {v['message']}")
    return failed, judged, messages


def regressions(before, after, threshold: float):
    return compare_runs(before, after, Thresholds(default=threshold)).regressions


def pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100.0 * k / n:.0f}%)" if n else "0/0"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("storage", type=Path)
    ap.add_argument("--thresholds", default="0.05,0.10,0.15,0.20,0.25")
    args = ap.parse_args(argv)
    aa, planted = load_study(args.storage)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    print(f"{len(aa)} A/A runs, {len(planted)} planted runs\n")

    for test in ("test_speedup", "test_accuracy"):
        failed, judged, messages = gate_failures(aa, test)
        print(f"{test} gate false alarms over A/A runs: {pct(failed, judged)}")
        for m in messages:
            print(f"  {m}")
    speedups = [r.results[n].extra["speedup"] for r in aa for n in r.results
                if n.startswith("test_speedup") and "bfloat16" in n]
    deltas = [d for r in aa for n in r.results if n.startswith("test_accuracy")
              for d in r.results[n].extra.get("accuracy_deltas", [])]
    if speedups:
        print(f"  bf16 speedup over A/A runs: median {np.median(speedups):.3f}x, range {min(speedups):.3f}-{max(speedups):.3f}")
    if deltas:
        print(f"  accuracy deltas (mixed - float32, every seed): median {np.median(deltas):+.4f}, "
              f"range {min(deltas):+.4f} to {max(deltas):+.4f}, {sum(d < -0.05 for d in deltas)}/{len(deltas)} below -0.05")
    planted_speedups = {}
    for frac, run in planted:
        for n, res in run.results.items():
            if n.startswith("test_speedup") and "bfloat16" in n:
                planted_speedups.setdefault(frac, []).append(res.extra["speedup"])
    for frac, values in sorted(planted_speedups.items()):
        failed, judged, _ = gate_failures([r for f, r in planted if f == frac], "test_speedup")
        print(f"  planted {frac:.0%}: bf16 speedup {', '.join(f'{v:.3f}x' for v in values)}; speedup gate failed {pct(failed, judged)}")

    consecutive = list(zip(aa, aa[1:]))
    every = list(itertools.combinations(aa, 2))
    preceding = []  # (fraction, the A/A run just before, planted run)
    for frac, run in planted:
        before = [r for r in aa if r.when < run.when]
        if before:
            preceding.append((frac, before[-1], run))
    print("\nmpmodel compare --fail-on-regression (exit 1 = any step-time or speedup regression)")
    header = "| threshold | A/A consecutive | A/A every pair | " + " | ".join(
        f"planted {f:.0%} vs run before" for f in sorted({f for f, _ in planted})) + " | planted vs every A/A | float32 flagged in planted |"
    print(header)
    print("|" + "---|" * header.count("|")[:-1] if False else "|" + "---|" * (header.count("|") - 1))
    for t in thresholds:
        fa_c = sum(bool(regressions(a, b, t)) for a, b in consecutive)
        fa_e = sum(bool(regressions(a, b, t)) for a, b in every)
        cells = []
        for f in sorted({f for f, _ in planted}):
            pairs = [(a, p) for ff, a, p in preceding if ff == f]
            cells.append(pct(sum(bool(regressions(a, p, t)) for a, p in pairs), len(pairs)))
        all_pairs = [(a, p) for _, p in planted for a in aa]
        detected = sum(bool(regressions(a, p, t)) for a, p in all_pairs)
        f32 = sum(any("float32" == c.policy for c in regressions(a, p, t)) for a, p in all_pairs)
        print(f"| {t:.0%} | {pct(fa_c, len(consecutive))} | {pct(fa_e, len(every))} | " + " | ".join(cells)
              + f" | {pct(detected, len(all_pairs))} | {pct(f32, len(all_pairs))} |")

    print("\nper series, A/A every pair: largest |change| seen, and how many pairs flagged at each threshold")
    series = {}
    for a, b in every:
        for c in compare_runs(a, b, Thresholds(default=max(thresholds))).changes:
            series.setdefault((c.kind, c.name), []).append((c.sample.ratio, c.sample.p_value))
    for (kind, name), values in sorted(series.items()):
        worst = max(abs(r - 1) for r, _ in values)
        flags = [sum(abs(r - 1) > t and p < 0.05 for r, p in values) for t in thresholds]
        print(f"  {kind:9s} {name}: max {worst:.1%}; flagged " +
              ", ".join(f"{t:.0%}: {k}" for t, k in zip(thresholds, flags, strict=True)))
    print("\nper series, planted vs every A/A run: median change")
    for frac in sorted({f for f, _ in planted}):
        changes = {}
        for _, p in [(f, r) for f, r in planted if f == frac]:
            for a in aa:
                for c in compare_runs(a, p).changes:
                    changes.setdefault((c.kind, c.policy), []).append(c.sample.ratio - 1)
        print(f"  planted {frac:.0%}: " + "; ".join(f"{k} {pol} {np.median(v):+.1%}"
                                                  for (k, pol), v in sorted(changes.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
