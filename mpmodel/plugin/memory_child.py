"""Each policy's step memory, measured in a fresh child process (`python -m mpmodel.core.memory_probe`): a
process's peak resident set and JAX's peak allocator figure cannot be reset for one step otherwise, and a
fresh process holds nothing another policy left. The child inherits the environment, so the same Keras
backend and devices."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mpmodel.core.memory import STEP_REPEATS, StepMemory
from mpmodel.core.profiles import Profile
from mpmodel.plugin.step_child import child_environment, profile_args

CHILD_TIMEOUT_S = 600


class MemoryProbeError(RuntimeError):
    """The child failed; the message names the policy and ends with what the child said last."""


def measure_in_child(policy: str, profile: Profile | str, jit: str, fp32: str, repeats: int = STEP_REPEATS) -> StepMemory:
    cmd = [sys.executable, "-m", "mpmodel.core.memory_probe", f"--policy={policy}", *profile_args(profile),
           f"--jit={jit}", f"--fp32={fp32}", f"--repeats={repeats}", f"--parent-pid={os.getpid()}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, env=child_environment(profile))
    except subprocess.TimeoutExpired:
        raise MemoryProbeError(f"{policy}: the memory probe ran past {CHILD_TIMEOUT_S} s") from None
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        said = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
        raise MemoryProbeError(f"{policy}: the memory probe exited {proc.returncode}: {said}")
    return StepMemory(**json.loads(lines[-1]))
