"""The GPU check's device part, for real on the CPU: each workload's and policy's steps by the suite's rounds and
by JAX's fused loop, row by row, and a policy whose step does not run here (float16 attention under XLA:CPU)
recorded with its one line instead of ending the part."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.framework
def test_the_device_part_times_every_policy_and_records_one_that_does_not_run(tmp_path):
    pytest.importorskip("jax", reason="JAX is not installed in this environment")
    proc = subprocess.run([sys.executable, str(ROOT / "studies" / "gpu_check.py"), "--device-part", "--profile=tiny",
                           "--workloads=transformer", f"--out={tmp_path}"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "KERAS_BACKEND": "jax"}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in (tmp_path / "jax-cross-check.jsonl").read_text().splitlines()]
    assert [(r["workload"], r["policy"]) for r in rows] == [
        ("transformer", "float32"), ("transformer", "mixed_float16"), ("transformer", "mixed_bfloat16")]
    ran = [r for r in rows if "error" not in r]
    assert all(r["device_method"].startswith("K train_steps in one jitted lax.fori_loop") for r in ran)
    assert all(r["suite_step_s"] > 0 and r["device_step_s"] > 0 and r["steps_per_round"] >= 1 for r in ran)
    for r in rows:
        if "error" in r:  # XLA:CPU has no float16 dot with float32 accumulation, which JAX's attention asks for
            assert r["policy"] == "mixed_float16" and r["error"].startswith("ValueError: ")
    assert {r["policy"] for r in ran} >= {"float32", "mixed_bfloat16"}
