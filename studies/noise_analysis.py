"""Reads a noise-study storage (studies/noise_study.py) and prints the reliability numbers (docs/reliability.md).

- Speedup and accuracy gates: how often each failed in the A/A runs (every such failure is a false
  alarm: nothing changed between runs).
- `mpmodel compare --fail-on-regression`: how often it would exit 1 between two A/A runs, for each
  consecutive pair (the CI use: previous vs latest) and for every pair, at several thresholds for the
  step-time and speedup series.
- Detection: how often it exits 1 between an A/A run and a run whose mixed-precision steps were
  slowed on purpose (planted), and whether the untouched float32 series stay quiet.

    python studies/noise_analysis.py /tmp/noise [--step 0.1,0.2,0.3] [--speedup 0.05,0.1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

from mpmodel.history.comparison import DEFAULT_ALPHA, compare_runs, decide, judge
from mpmodel.store.runs import SPEEDUP_KIND, STEP_KIND, load_run


def load_study(storage: Path):
    """(A/A runs, planted runs as (fraction, run)), in the order they ran."""
    entries = [json.loads(line) for line in (storage / "study-log.jsonl").read_text().splitlines() if line.strip()]
    files = {p.name: p for p in storage.rglob("*.json") if p.name[:4].isdigit()}
    aa, planted = [], []
    for e in entries:
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


_CHANGES: dict = {}


def _changes(before, after):
    """compare_runs' changes for a pair, computed once (the bootstrap is the slow part)."""
    key = (id(before), id(after))
    if key not in _CHANGES:
        _CHANGES[key] = tuple(compare_runs(before, after).changes)
    return _CHANGES[key]


def flagged(before, after, step: float, speedup: float, policies=None, confirm: bool = True, kind=None) -> list:
    """The changes `compare --fail-on-regression` would call regressions at these thresholds."""
    out = []
    for c in _changes(before, after):
        t = step if c.kind == STEP_KIND else speedup
        direction, _ = decide(c.kind, c.sample, c.confirmation if confirm else None, t, DEFAULT_ALPHA)
        if (policies is None or c.policy in policies) and (kind is None or c.kind == kind) and direction == "worse":
            out.append(c)
    return out


def pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100.0 * k / n:.0f}%)" if n else "0/0"


def gates(aa, planted) -> None:
    for test in ("test_speedup", "test_accuracy"):
        failed, judged, messages = gate_failures(aa, test)
        print(f"{test} gate false alarms over A/A runs: {pct(failed, judged)}")
        for m in messages:
            print(f"  {m}")
    speedups = [r.results[n].extra["speedup"] for r in aa for n in r.results if n.startswith("test_speedup[")]
    print(f"  speedups over A/A runs: {', '.join(f'{v:.3f}' for v in speedups)}")
    deltas = [d for r in aa for n in r.results if n.startswith("test_accuracy")
              for d in r.results[n].extra.get("accuracy_deltas", [])]
    medians = [r.results[n].extra["accuracy_delta"] for r in aa for n in r.results if n.startswith("test_accuracy")]
    if deltas:
        print(f"  accuracy: every seed's delta median {np.median(deltas):+.4f}, range {min(deltas):+.4f} to "
              f"{max(deltas):+.4f}, {sum(d < -0.05 for d in deltas)}/{len(deltas)} below -0.05; gate medians "
              f"range {min(medians):+.4f} to {max(medians):+.4f}")
    for frac in sorted({f for f, _ in planted}):
        runs = [r for f, r in planted if f == frac]
        values = [r.results[n].extra["speedup"] for r in runs for n in r.results
                  if n.startswith("test_speedup[") and "bfloat16" in n]
        failed, judged, _ = gate_failures(runs, "test_speedup")
        print(f"  planted {frac:.0%}: bf16 speedup {', '.join(f'{v:.3f}x' for v in values)}; "
              f"speedup gate failed {pct(failed, judged)}")


def compare_table(aa, planted, steps, speedups) -> None:
    consecutive = list(itertools.pairwise(aa))
    every = list(itertools.combinations(aa, 2))
    fracs = sorted({f for f, _ in planted})
    before = {id(p): max((a for a in aa if a.when < p.when), key=lambda a: a.when, default=None) for _, p in planted}
    print("\nmpmodel compare --fail-on-regression: exit 1 (any step-time or speedup regression)")
    print("| step threshold | speedup threshold | A/A consecutive | A/A every pair | every pair, step time unconfirmed | "
          + " | ".join(f"planted {f:.0%}, vs every A/A" for f in fracs) + " | "
          + " | ".join(f"planted {f:.0%}, by step time alone" for f in fracs) + " | float32 flagged in planted |")
    print("|---|---|---|---|---|" + "---|" * (2 * len(fracs)) + "---|")
    for st, sp in itertools.product(steps, speedups):
        fa_c = sum(bool(flagged(a, b, st, sp)) for a, b in consecutive)
        fa_e = sum(bool(flagged(a, b, st, sp)) for a, b in every)
        fa_raw = sum(bool(flagged(a, b, st, sp, confirm=False)) for a, b in every)
        cells = []
        for f in fracs:
            pairs = [(a, p) for ff, p in planted if ff == f for a in aa]
            cells.append(pct(sum(bool(flagged(a, p, st, sp)) for a, p in pairs), len(pairs)))
        for f in fracs:
            pairs = [(a, p) for ff, p in planted if ff == f for a in aa]
            cells.append(pct(sum(bool(flagged(a, p, st, sp, kind=STEP_KIND)) for a, p in pairs), len(pairs)))
        pairs = [(a, p) for _, p in planted for a in aa]
        f32 = sum(bool(flagged(a, p, st, sp, policies={"float32"})) for a, p in pairs)
        print(f"| {st:.0%} | {sp:.0%} | {pct(fa_c, len(consecutive))} | {pct(fa_e, len(every))} | {pct(fa_raw, len(every))} | "
              + " | ".join(cells) + f" | {pct(f32, len(pairs))} |")
    print("\nplanted vs the A/A run just before it (the CI use):")
    for st, sp in itertools.product(steps, speedups):
        hits = [(f, bool(flagged(before[id(p)], p, st, sp))) for f, p in planted if before[id(p)] is not None]
        print(f"  step {st:.0%} speedup {sp:.0%}: " + ", ".join(f"{f:.0%} {'caught' if h else 'missed'}" for f, h in hits))


def series_noise(aa, planted, steps, speedups) -> None:
    print("\nper series, A/A every pair: largest |change|, and pairs significant beyond each threshold")
    series = {}
    for a, b in itertools.combinations(aa, 2):
        for c in _changes(a, b):
            series.setdefault((c.kind, c.name), []).append(c.sample)
    for (kind, name), samples in sorted(series.items()):
        ts = steps if kind == STEP_KIND else speedups
        worst = max(abs(s.ratio - 1) for s in samples)
        counts = [sum(judge(kind, s, t, DEFAULT_ALPHA) != "same" for s in samples) for t in ts]
        print(f"  {kind:9s} {name}: max {worst:.1%}; " + ", ".join(f"{t:.0%}: {k}/{len(samples)}"
                                                              for t, k in zip(ts, counts, strict=True)))
    print("\nper series, planted vs every A/A run: median change")
    for frac in sorted({f for f, _ in planted}):
        changes = {}
        for a in aa:
            for _, p in [(f, r) for f, r in planted if f == frac]:
                for c in _changes(a, p):
                    changes.setdefault((c.kind, c.policy), []).append(c.sample.ratio - 1)
        print(f"  planted {frac:.0%}: " + "; ".join(f"{k} {pol} {np.median(v):+.1%}" for (k, pol), v in sorted(changes.items())))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("storage", type=Path)
    ap.add_argument("--step", default="0.10,0.15,0.20,0.25,0.30", help="step-time thresholds to try")
    ap.add_argument("--speedup", default="0.03,0.05,0.07,0.10", help="speedup thresholds to try")
    args = ap.parse_args(argv)
    aa, planted = load_study(args.storage)
    steps = [float(t) for t in args.step.split(",")]
    speedups = [float(t) for t in args.speedup.split(",")]
    print(f"{len(aa)} A/A runs, {len(planted)} planted runs ({SPEEDUP_KIND} and {STEP_KIND} series)\n")
    gates(aa, planted)
    compare_table(aa, planted, steps, speedups)
    series_noise(aa, planted, steps, speedups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
