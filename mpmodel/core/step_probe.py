"""The real training step's first steps, timed in this process: run as a child of the session, which stops a
step that outlasts its limit (mpmodel.plugin.step_child).

    python -m mpmodel.core.step_probe --profile small --jit auto --fp32 default --steps 3 float32 mixed_bfloat16

For each policy in turn: one line when it starts building, then one per step as each ends (the first builds,
traces and compiles), every line JSON, flushed at once, so the parent knows what is running and since when:

    {"policy": "float32", "event": "start"}
    {"policy": "float32", "event": "step", "index": 0, "seconds": 0.96}

Where the later steps are short (`round_steps`), one round of steps back to back follows:

    {"policy": "float32", "event": "round", "steps": 80, "seconds": 0.031}

`--no-remapping` turns the backend's op fusion off first (`Runtime.op_fusion_off`; TensorFlow's grappler
remapper, which fuses MatMul+BiasAdd into one kernel whose float16 CPU path has crawled on Intel Xeons).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time

import keras

from mpmodel.core.backends import runtime
from mpmodel.core.errors import one_line
from mpmodel.core.matmul_precision import float32_matmuls
from mpmodel.core.model import build_model
from mpmodel.core.parent_watch import die_with_parent
from mpmodel.core.profiles import Profile, resolve_profile
from mpmodel.core.training import TrainingStep

# A step timed alone carries a call and a host sync: at the tiny profile on a 2-core Zen 4 EPYC (TensorFlow)
# 1.25 ms alone against 0.29-0.41 ms in the suite's rounds of K steps and in model.fit's loop. Where the later
# steps are this short, the probe also times one round of steps back to back (about ROUND_TARGET_S), and the
# session plans with that round's step; above it a sync is at most a few percent of a step.
ROUND_UNDER_S = 0.05
ROUND_TARGET_S = 0.1
ROUND_MAX_STEPS = 1000


def round_steps(step_s: float) -> int:
    """How many steps the probe's round runs after later steps of `step_s` seconds; 0 where none is needed."""
    if step_s >= ROUND_UNDER_S:
        return 0
    return max(2, min(ROUND_MAX_STEPS, math.ceil(ROUND_TARGET_S / max(step_s, 1e-9))))


def emit(**event) -> None:
    print(json.dumps(event), flush=True)


def probe(policies: list[str], profile: Profile, jit: str, fp32: str, steps: int, clock=time.perf_counter) -> None:
    """Build each policy's model and time its first step and `steps` more, emitting each as it ends; then, where
    those were short, one round of steps back to back."""
    data = profile.workload.synthetic_for(profile.size, profile.batch_size, 16)
    with float32_matmuls(fp32):
        for policy in policies:
            emit(policy=policy, event="start")
            try:
                start = clock()
                step = TrainingStep(build_model(policy, profile, jit=jit), data, profile.batch_size, n_batches=1)
                step.run(1)
                emit(policy=policy, event="step", index=0, seconds=clock() - start)
                later = []
                for index in range(1, steps + 1):
                    start = clock()
                    step.run(1)
                    later.append(clock() - start)
                    emit(policy=policy, event="step", index=index, seconds=later[-1])
                k = round_steps(statistics.median(later)) if later else 0
                if k:
                    start = clock()
                    step.run(k)
                    emit(policy=policy, event="round", steps=k, seconds=clock() - start)
                del step
            except Exception as exc:  # a step this backend cannot run here: said in one line, the next policy probed
                emit(policy=policy, event="error", message=one_line(exc))
            keras.utils.clear_session()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="time each policy's first training steps in this process")
    ap.add_argument("policies", nargs="+")
    ap.add_argument("--profile", required=True)
    ap.add_argument("--workload", default="mlp", help="a workload name or package.module:factory")
    ap.add_argument("--jit", default="auto")
    ap.add_argument("--fp32", default="default")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--no-remapping", action="store_true", help="TensorFlow's graph remapper off")
    ap.add_argument("--parent-pid", type=int, help="end with this process (the session)")
    args = ap.parse_args(argv)
    die_with_parent(args.parent_pid)
    if args.no_remapping:
        runtime().op_fusion_off()
    probe(args.policies, resolve_profile(args.workload, args.profile), args.jit, args.fp32, args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
