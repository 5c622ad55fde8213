"""Is the speed of light a bound? The step against its kernels alone, timed in interleaved rounds, per way of
running the kernels, so that what makes a step beat its kernels shows as the variant that closes the gap.

    python studies/speed_of_light_bound.py --workload mlp --profile small          # KERAS_BACKEND picks the backend
    python studies/speed_of_light_bound.py --profile seed --out sol.jsonl          # on a GPU

Variants (mpmodel.core.speed_of_light):
- `uniform calls`: the operands uniform in [-1, 1), contiguous, one call per step's kernels (the speed of light
  before issue 23);
- `step operands calls`: activations after ReLU, weights at Glorot's scale, gradients at the loss's scale, the
  backward products reading transposed operands as the step does;
- `step operands loop` (the suite's speed of light): the same, K steps' kernels in one compiled loop with a
  carried dependency, where the backend compiles graphs.
Every round times the step and each variant back to back (the order rotating), so the efficiency of a variant
(its time / the step's) comes from pairs measured under the same conditions: median and 95% CI of the pair
ratios. A variant at efficiency above 1 is not a bound: the step beats it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from mpmodel.core.policies import POLICIES, resolve_jit  # noqa: E402
from mpmodel.core.speed_of_light import STEP_OPERANDS, UNIFORM_OPERANDS  # noqa: E402

VARIANTS = {"uniform calls": (UNIFORM_OPERANDS, False), "step operands calls": (STEP_OPERANDS, False),
            "step operands loop": (STEP_OPERANDS, True)}


def interleaved(runs: dict, rounds: int, steps_per_round, warm_up) -> tuple[dict, dict]:
    """Each run warmed up and its K chosen (and called once: a loop compiles per K), then `rounds` rounds in which
    every run times one K-step round, the order rotating; per-step seconds per run, and each run's K."""
    ks = {}
    for name, run in runs.items():
        ks[name] = steps_per_round(warm_up(run, 3, 1.0).step_s)
        run(ks[name])
    times = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter()
            runs[name](ks[name])
            times[name].append((time.perf_counter() - t0) / ks[name])
    return times, ks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", default="mlp", help="a built-in workload, or a comma-separated list of them")
    ap.add_argument("--profile", default="small")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--jit", choices=("auto", "on", "off"), default="auto", help="as --mp-jit: the step and kernels alike")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--out", type=Path, help="append one JSON line per policy and variant")
    args = ap.parse_args(argv)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    if not policies or any(p not in POLICIES for p in policies):
        ap.error(f"--policies: {args.policies!r}; valid: {', '.join(POLICIES)}")
    if args.rounds < 6:
        ap.error(f"--rounds: {args.rounds}; at least 6 for a 95% CI of a median")

    import keras  # noqa: PLC0415 (the backend loads after the arguments are checked)

    from mpmodel.core.backends import runtime  # noqa: PLC0415
    from mpmodel.core.device import detect  # noqa: PLC0415
    from mpmodel.core.errors import one_line  # noqa: PLC0415
    from mpmodel.core.model import build_model  # noqa: PLC0415
    from mpmodel.core.profiles import flops_per_step, resolve_profile, step_kernels  # noqa: PLC0415
    from mpmodel.core.speed_of_light import kernel_runner  # noqa: PLC0415
    from mpmodel.core.training import TrainingStep  # noqa: PLC0415
    from mpmodel.measure.rounds import steps_per_round, warm_up  # noqa: PLC0415
    from mpmodel.measure.stats import paired_ratio  # noqa: PLC0415

    try:
        profiles = [resolve_profile(w.strip(), args.profile) for w in args.workload.split(",") if w.strip()]
    except (KeyError, ValueError) as exc:
        ap.error(f"--workload/--profile: {exc}")
    device = detect()
    jit = resolve_jit(args.jit, runtime().name, device.gpu_visible)
    print(device.summary(), flush=True)
    for profile in profiles:
        flops = flops_per_step(profile)
        data = profile.workload.synthetic_for(profile.size, 4 * profile.batch_size, profile.batch_size)
        print(f"{profile.id}: {flops / 1e9:.3g} GFLOP a step, kernels under jit {jit}", flush=True)
        for policy in policies:
            try:
                step = TrainingStep(build_model(policy, profile, jit=args.jit), data, profile.batch_size)
                runs = {"step": step.run}
                runs.update({name: kernel_runner(step_kernels(profile), policy, jit, style, fused)
                             for name, (style, fused) in VARIANTS.items()})
                times, ks = interleaved(runs, args.rounds, steps_per_round, warm_up)
            except Exception as exc:  # a step or kernel with no kernel for its dtype here: said, and the study goes on
                print(f"{profile.workload.name:11s} {policy:15s} does not run here: {one_line(exc)}", flush=True)
                continue
            step_s = statistics.median(times["step"])
            for name in VARIANTS:
                ratio = paired_ratio(times[name], times["step"])  # the variant's time over the step's, pair by pair
                row = {"backend": keras.backend.backend(), "workload": profile.workload.name, "profile": profile.id,
                       "policy": policy, "variant": name, "jit": jit, "step_ms": step_s * 1e3,
                       "kernels_ms": statistics.median(times[name]) * 1e3, "efficiency": ratio.value,
                       "ci": [ratio.low, ratio.high], "tflops": flops / statistics.median(times[name]) / 1e12,
                       "rounds": args.rounds, "k": ks[name], "device": device.summary()}
                print(f"{profile.workload.name:11s} {policy:15s} {name:20s} step {row['step_ms']:8.3f} ms  kernels "
                      f"{row['kernels_ms']:8.3f} ms  efficiency {ratio.value:.3f} [{ratio.low:.3f}, {ratio.high:.3f}]",
                      flush=True)
                if args.out:
                    with open(args.out, "a") as f:  # line by line: a run stopped early keeps what it measured
                        f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
