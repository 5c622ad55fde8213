"""The memory probe as the suite runs it: a fresh process, one JSON line, every figure positive."""

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.framework
@pytest.mark.parametrize("backend", ["tensorflow", "torch", "jax"])
def test_the_probe_prints_resting_and_step_peaks(backend):
    pytest.importorskip(backend, reason=f"{backend} is not installed in this environment")
    env = {**os.environ, "KERAS_BACKEND": backend}
    proc = subprocess.run([sys.executable, "-m", "mpmodel.core.memory_probe", "--policy", "mixed_bfloat16",
                           "--profile", "tiny", "--repeats", "3"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["policy"] == "mixed_bfloat16" and len(got["peak_step_bytes"]) == 3
    assert got["resting_bytes"] > 0 and all(p >= 0 for p in got["peak_step_bytes"])
    assert "VmHWM" in got["method"]
