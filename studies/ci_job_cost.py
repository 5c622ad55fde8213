"""The README's GPU CI job, predicted on an H200: its pytest step at the seed sizes, per workload and in all.

    python studies/ci_job_cost.py            # the table the README shows
    python studies/ci_job_cost.py --json     # the same, for a script

The suite's own cost model (mpmodel.measure.cost.predict: warm-ups, rounds of K steps, interleaved pairs, the
memory children, every paired fit) on the step times the GPU check's plan holds (studies/gpu_check_plan.py:
the seed MLP measured on the H200 on 2026-11-28; the convnet and transformer at the MLP's kernel TFLOP/s and
step efficiency on the same backend). TensorFlow never ran on a GPU here: its `auto` compile mode runs the step
XLA-compiled on a GPU, as JAX does, so JAX's figures stand in for it, and the job's `--mp-fp32 default` times the
framework's float32 (TF32 on an H200) alone. Start-up and the per-policy speed of light and probe are the H200
runs' own overheads (gpu_check_plan.START_S, per_policy_s). The install step (pip, several GB of CUDA wheels) and
the history steps (seconds) are not predicted: they depend on the runner's cache and network.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gpu_check_plan import SEED_SAMPLES, START_S, WORKLOADS, h200, step_s  # noqa: E402

from mpmodel.core.policies import BASELINE, POLICIES  # noqa: E402
from mpmodel.core.profiles import resolve_profile  # noqa: E402
from mpmodel.core.step_key import StepKey  # noqa: E402
from mpmodel.measure.cost import minutes, predict  # noqa: E402

STAND_IN = "jax"  # whose H200 step times stand in for TensorFlow's (both XLA-compiled under `auto` on a GPU)
TIMEOUT_MARGIN = 2.0  # the job's timeout-minutes: twice the prediction, so a slow night is not a timeout


def workload_s(workload: str, backend: str = STAND_IN) -> dict[str, float]:
    """One workload's share of the pytest step: its speed of light and probe, then every benchmark."""
    profile = resolve_profile(workload, "seed")
    n_train, n_test = SEED_SAMPLES[workload]
    mixed = [p for p in POLICIES if p != BASELINE]
    tests = [("test_step_time", StepKey(p, "auto", "default")) for p in POLICIES]
    tests += [("test_speedup", StepKey(p, "auto", "default")) for p in mixed]
    tests += [("test_memory", StepKey(p, "auto", "default")) for p in POLICIES]
    tests += [(name, StepKey(p, "auto", "default")) for name in ("test_accuracy", "test_seed_recipe_accuracy")
              for p in mixed]
    seeds = {"test_accuracy": profile.accuracy_seeds, "test_seed_recipe_accuracy": profile.seed_recipe_seeds}
    prediction = predict(profile, n_train, n_test, tests, lambda key: step_s(backend, workload, key.policy),
                         lambda key: False, lambda name: seeds.get(name, 0))
    return {"probe": len(POLICIES) * h200(backend).per_policy_s, **prediction.parts}


def job() -> dict:
    rows = {w: workload_s(w) for w in WORKLOADS}
    total = START_S + sum(sum(parts.values()) for parts in rows.values())
    return {"workloads": rows, "start_s": START_S, "total_s": total,
            "timeout_minutes": int(-(-TIMEOUT_MARGIN * total // 60)), "stand_in": STAND_IN}


def table(result: dict) -> str:
    lines = ["| workload | probe | step time | speedup | memory | accuracy | in all |", "|---|---|---|---|---|---|---|"]
    for w, parts in result["workloads"].items():
        cells = [minutes(parts[k]) for k in ("probe", "step time", "speedup", "memory", "accuracy")]
        lines.append(f"| {w} | {' | '.join(cells)} | {minutes(sum(parts.values()))} |")
    lines.append(f"| the pytest step | start-up {minutes(result['start_s'])} | | | | | **{minutes(result['total_s'])}** |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="the README's GPU CI job, predicted on an H200")
    p.add_argument("--json", action="store_true", help="print the prediction as JSON")
    args = p.parse_args(argv)
    result = job()
    print(json.dumps(result, indent=2) if args.json else
          f"{table(result)}\n\ntimeout-minutes: {result['timeout_minutes']} "
          f"({TIMEOUT_MARGIN:g}x the predicted {minutes(result['total_s'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
