"""Does `mpmodel compare` catch memory growth, and stay quiet without it? Two A/A runs of test_memory and one
with a planted allocation in every mixed_bfloat16 step (studies/planted_memory/sitecustomize.py), saved in one
storage, then compared.

    python studies/planted_memory.py --plant-mib 27   # a third of TensorFlow's bf16 peak memory (80 MiB, small)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def suite(storage: Path, name: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "pytest", "benchmarks/test_memory.py", "-q", "-p", "no:cacheprovider",
                    f"--benchmark-storage=file://{storage}", f"--benchmark-save={name}"], cwd=ROOT, env=env, check=False,
                   stdout=subprocess.DEVNULL)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plant-mib", type=float, default=27.0)
    ap.add_argument("--policy", default="mixed_bfloat16")
    args = ap.parse_args(argv)
    storage = Path(tempfile.mkdtemp())
    plain = {k: v for k, v in os.environ.items() if k != "MPMODEL_PLANT_MIB"}
    suite(storage, "aa1", plain)
    suite(storage, "aa2", plain)
    planted = {**plain, "MPMODEL_PLANT_MIB": f"{args.policy}={args.plant_mib}",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "studies" / "planted_memory"),
                                                           plain.get("PYTHONPATH")]))}
    suite(storage, "planted", planted)
    for after in ("0002", "0003"):
        print(f"== mpmodel compare 0001 {after}", flush=True)
        subprocess.run([sys.executable, "-m", "mpmodel", "compare", "0001", after, "--storage", str(storage)],
                       cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
