"""The noise study: repeated A/A runs of the suite, and runs with a planted slowdown, in one storage.

`run` executes the plan in order, each entry a full `pytest benchmarks/` session saved with
--benchmark-autosave; "A" is an untouched run, "P0.15" a run whose mixed-precision steps are slowed
by 15% (studies/planted_slowdown.py; step-time and speedup tests only). The plan interleaves
planted runs between A/A runs so machine drift falls on both alike. `analyze` (noise_analysis.py)
reads the storage back.

    python studies/noise_study.py run --storage /tmp/noise --plan A,A,P0.10,A,A,P0.20,...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent  # studies/: planted_slowdown.py, put on PYTHONPATH
SUITE = HERE.parent / "benchmarks"


def run_plan(storage: Path, plan: list[str], extra: list[str]) -> int:
    storage.mkdir(parents=True, exist_ok=True)
    log = storage / "study-log.jsonl"
    for i, entry in enumerate(plan, 1):
        env = dict(os.environ)
        cmd = [sys.executable, "-m", "pytest", str(SUITE), "-q", "-p", "no:cacheprovider",
               "--benchmark-autosave", f"--benchmark-storage=file://{storage}", *extra]
        if entry.startswith("P"):
            env["MPMODEL_PLANTED_SLOWDOWN"] = entry[1:]
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
            cmd += ["-p", "planted_slowdown", "-k", "step_time or speedup"]
        start = time.time()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        saved = sorted(p.name for p in storage.rglob("*.json") if p.name[:4].isdigit())
        record = {"index": i, "entry": entry, "exit": proc.returncode, "seconds": round(time.time() - start, 1),
                  "summary": summary, "saved": saved[-1] if saved else None,
                  "gates": [line for line in proc.stdout.splitlines() if line.startswith(("pass ", "FAIL ", "skip "))]}
        with log.open("a") as fh:
            fh.write(json.dumps(record) + "\n")
        print(f"[{i}/{len(plan)}] {entry}: exit {proc.returncode} in {record['seconds']}s: {summary}", flush=True)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--storage", type=Path, required=True)
    r.add_argument("--plan", required=True, help="comma list of A (A/A run) and P<fraction> (planted slowdown)")
    r.add_argument("pytest_args", nargs="*")
    args = ap.parse_args(argv)
    plan = [e.strip() for e in args.plan.split(",") if e.strip()]
    bad = [e for e in plan if not (e == "A" or (e.startswith("P") and e[1:].replace(".", "", 1).isdigit()))]
    if bad:
        print(f"noise_study: --plan entries {bad} are not A or P<fraction>", file=sys.stderr)
        return 2
    return run_plan(args.storage, plan, args.pytest_args)


if __name__ == "__main__":
    sys.exit(main())
