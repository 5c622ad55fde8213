"""Measure how far the fit recipe's test accuracy moves between runs, to ground --mp-accuracy-tol.

For each seed it trains float32 twice from the same initial weights (data orders `seed` and
`seed + 1000`: an A/A pair) and each mixed policy once (order `seed`: the gate's pairing),
then prints every run and the spread of the paired deltas. Slow: minutes per seed on a CPU.

    python studies/accuracy_spread.py --profile small --seeds 10 --data synthetic
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from mpmodel.core.data import load_data
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile
from mpmodel.core.training import fit_recipe


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="small")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--data", default="auto")
    ap.add_argument("--policies", default="mixed_bfloat16")
    ap.add_argument("--json", help="write every run here as JSON lines")
    args = ap.parse_args(argv)
    profile, data = get_profile(args.profile), load_data(args.data)
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for label, policy, order in [("f32", "float32", seed), ("f32_aa", "float32", seed + 1000)] + [
            (p, p, seed) for p in args.policies.split(",")
        ]:
            start = time.perf_counter()
            result = fit_recipe(build_model(policy, profile, seed=seed), data, profile, order_seed=order)
            run = {"seed": seed, "run": label, "test_accuracy": result.test_accuracy,
                   "test_loss": result.test_loss, "seconds": time.perf_counter() - start}
            runs.append(run)
            print(json.dumps(run), flush=True)
            if args.json:
                with open(args.json, "a") as fh:
                    fh.write(json.dumps(run) + "\n")
    by = {(r["seed"], r["run"]): r["test_accuracy"] for r in runs}
    seeds = sorted({r["seed"] for r in runs})
    for label in ["f32_aa", *args.policies.split(",")]:
        d = np.array([by[(s, label)] - by[(s, "f32")] for s in seeds])
        print(f"{label} - f32: mean {d.mean():+.4f} median {np.median(d):+.4f} sd {d.std(ddof=1):.4f} "
              f"min {d.min():+.4f} max {d.max():+.4f} (n={d.size}, {profile.name}, {data.source})")
    f32 = np.array([by[(s, "f32")] for s in seeds])
    print(f"f32 accuracy: mean {f32.mean():.4f} sd {f32.std(ddof=1):.4f} min {f32.min():.4f} max {f32.max():.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
