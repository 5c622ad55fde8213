"""One policy's step memory, measured in this process: run as a fresh child per policy.

    python -m mpmodel.core.memory_probe --policy mixed_bfloat16 --profile small

prints one JSON line: resting bytes, each repeat's step peak above the resting state, and the method
(mpmodel.core.memory says how each device is read).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

import keras

from mpmodel.core.device import detect
from mpmodel.core.matmul_precision import float32_matmuls
from mpmodel.core.memory import STEP_REPEATS, WARMUP_STEPS, StepMemory, reader_for
from mpmodel.core.model import build_model
from mpmodel.core.parent_watch import die_with_parent
from mpmodel.core.profiles import Profile, resolve_profile
from mpmodel.core.training import TrainingStep


def measure_step_memory(policy: str, profile: Profile, jit: str = "auto", repeats: int = STEP_REPEATS,
                        fp32: str = "default") -> StepMemory:
    """Build and warm up the model, then measure its resting memory and `repeats` step peaks above it. The
    one batch the steps train on is made before the resting state's baseline is read."""
    reader = reader_for(detect().gpu_visible)
    data = profile.workload.synthetic_for(profile.size, profile.batch_size, 16)
    with float32_matmuls(fp32):
        batch = (keras.ops.convert_to_tensor(data.x_train), keras.ops.convert_to_tensor(data.y_train))
        before = reader.settle()
        step = TrainingStep(build_model(policy, profile, jit=jit), data, profile.batch_size, n_batches=1)
        step.batches = [batch]  # the batch made before the baseline; TrainingStep's own copy is dropped
        for _ in range(WARMUP_STEPS):
            step.run(1)  # builds the optimizer state, traces and compiles the step
        resting = reader.settle() - before
        peaks = []
        for _ in range(repeats):
            at_rest = reader.settle()
            reader.reset_peak()
            step.run(1)
            peaks.append(reader.peak() - at_rest)
    return StepMemory(policy, resting, peaks, reader.method)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="one policy's step memory, measured in this fresh process")
    ap.add_argument("--policy", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--workload", default="mlp", help="a workload name or package.module:factory")
    ap.add_argument("--jit", default="auto")
    ap.add_argument("--fp32", default="default")
    ap.add_argument("--repeats", type=int, default=STEP_REPEATS)
    ap.add_argument("--parent-pid", type=int, help="end with this process (the session)")
    args = ap.parse_args(argv)
    die_with_parent(args.parent_pid)
    measured = measure_step_memory(args.policy, resolve_profile(args.workload, args.profile), args.jit, args.repeats, args.fp32)
    print(json.dumps(asdict(measured)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
