"""How the history commands scale with a fleet's store: fill a store to each size with runs like a fleet's (the
fixture's A/A pair of real runs, repeated with new dates, step times jittered, from 50 runners in 10 contexts:
10 driver versions), then time `mpmodel report`, `compare previous latest` and `matrix` on it, each in a fresh
process, with the process's peak memory. Filling goes through the bulk save (`mpmodel ingest`'s path).

    python studies/store_scale.py --store sqlite:////tmp/scale.db --sizes 1000,10000,100000
    pg_virtualenv python studies/store_scale.py --sizes 1000,10000,100000     # PostgreSQL, from the PG* variables

One JSON line per size and command goes to --out (default: stdout only).
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
RUNNERS, CONTEXTS = 50, 10
COMMANDS = (["report"], ["compare", "previous", "latest"], ["matrix"])


def pg_url() -> str:
    e = os.environ
    return f"postgresql+psycopg://{e['PGUSER']}:{e.get('PGPASSWORD', '')}@{e['PGHOST']}:{e['PGPORT']}/{e['PGDATABASE']}"


def fleet_runs(start_at: int, end_at: int):
    """Runs start_at..end_at-1 of the fleet, as (content, name): each from one of 50 runners, ten minutes apart."""
    sources = [json.loads(p.read_text()) for p in sorted(FIXTURES.rglob("*.json"))][:2]  # the A/A pair
    rng = np.random.default_rng(start_at)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(start_at, end_at):
        run = copy.deepcopy(sources[i % len(sources)])
        runner = i % RUNNERS
        run["datetime"] = (start + timedelta(minutes=10 * i)).isoformat()
        run["machine_info"]["node"] = f"runner-{runner:02d}"
        run["machine_info"]["mpmodel"]["device"]["driver_version"] = f"5{60 + runner % CONTEXTS}.{runner % CONTEXTS}"
        for b in run["benchmarks"]:
            factor = float(rng.normal(1.0, 0.02))
            b["stats"]["data"] = [t * factor for t in b["stats"].get("data", [])]
            b["stats"]["median"] = b["stats"].get("median", 0) * factor
        yield run, f"{i + 1:06d}_scale"


def fill(store: RunStore, n: int) -> tuple[int, float]:
    """Fill the store up to n runs; (runs added, seconds)."""
    have = store.count()
    t0 = time.perf_counter()
    added, _ = store.save_many(fleet_runs(have, n))
    return added, time.perf_counter() - t0


def timed(args: list[str]) -> tuple[float, int, float]:
    """(seconds, exit code, peak resident MiB) of one history command in a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mpmodel", *args], cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, proc.returncode, usage.ru_maxrss / 1024


def store_size(store: RunStore) -> str:
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        return f"{Path(url.database).stat().st_size / 2**20:.0f} MiB"
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_size_pretty(pg_database_size(current_database()))").scalar_one()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", "--history", dest="store", help="store URL (default: PostgreSQL from the PG* variables)")
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated store sizes, filled in turn")
    ap.add_argument("--out", type=Path, help="append one JSON line per measurement here")
    args = ap.parse_args(argv)
    url = args.store or pg_url()
    store = RunStore(url)
    store.create(upgrade=True)
    for n in sorted(int(s) for s in args.sizes.split(",")):
        added, seconds = fill(store, n)
        rows = [{"store": store.shown, "runs": n, "what": "fill", "added": added, "seconds": round(seconds, 1),
                 "size": store_size(store)}]
        for cmd in COMMANDS:
            took, code, peak = timed([*cmd, "--source", url])
            rows.append({"store": store.shown, "runs": n, "what": " ".join(cmd), "seconds": round(took, 2),
                         "exit": code, "peak_mib": round(peak)})
        for row in rows:
            print(json.dumps(row), flush=True)
            if args.out:
                with args.out.open("a") as f:
                    f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
