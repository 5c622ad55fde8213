"""How the history commands scale with a fleet's store: fill a store with N runs (the fixture's three real
runs, repeated with new dates and the step times jittered, so each is a distinct run), then time
`mpmodel report`, `compare previous latest` and `matrix` on it, each in a fresh process.

    python studies/store_scale.py --history sqlite:////tmp/scale.db --runs 10000
    pg_virtualenv python studies/store_scale.py --runs 10000     # PostgreSQL, from the PG* variables
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mpmodel.store.database import RunStore  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "runs"


def pg_url() -> str:
    e = os.environ
    return f"postgresql+psycopg://{e['PGUSER']}:{e.get('PGPASSWORD', '')}@{e['PGHOST']}:{e['PGPORT']}/{e['PGDATABASE']}"


def fill(url: str, n: int) -> float:
    sources = [json.loads(p.read_text()) for p in sorted(FIXTURES.rglob("*.json"))][:2]  # the A/A pair
    rng = np.random.default_rng(0)
    store = RunStore(url)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    t0 = time.perf_counter()
    for i in range(store.count(), n):
        run = copy.deepcopy(sources[i % len(sources)])
        run["datetime"] = (start + timedelta(minutes=10 * i)).isoformat()
        for b in run["benchmarks"]:
            factor = float(rng.normal(1.0, 0.02))
            b["stats"]["data"] = [t * factor for t in b["stats"].get("data", [])]
            b["stats"]["median"] = b["stats"].get("median", 0) * factor
        store.save(run, name=f"{i + 1:05d}_scale")
    return time.perf_counter() - t0


def timed(args: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", "mpmodel", *args], cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, code


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--history", help="store URL (default: PostgreSQL from the PG* variables)")
    ap.add_argument("--runs", type=int, default=10000)
    args = ap.parse_args(argv)
    url = args.history or pg_url()
    shown = RunStore(url).shown
    print(f"{shown}: filled to {args.runs} runs in {fill(url, args.runs):.0f} s", flush=True)
    for cmd in (["report"], ["compare", "previous", "latest"], ["matrix"]):
        seconds, code = timed([*cmd, "--history", url])
        print(f"mpmodel {' '.join(cmd)} over {args.runs} runs: {seconds:.2f} s (exit {code})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
