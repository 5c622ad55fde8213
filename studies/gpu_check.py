"""The GPU check, whole, in one call: every workload's gates at its GPU size under PyTorch and JAX, the device's
own clock against the suite's, whether the speed of light is a bound, the accuracy fits, and PyTorch compiled
against eager, in one table.

    python studies/gpu_check.py --out gpu-check                 # on a machine with an NVIDIA GPU (seed sizes)
    python studies/gpu_check.py --profile tiny --out /tmp/gc    # anywhere: CI's stand-in on the CPU

Before it starts it prints its parts (studies/gpu_check_plan.py) with the time each is predicted to take on an
H200 and which fit in --limit; as it goes, a line as each part starts and ends. Each part is a fresh process
whose results are written the moment they exist (pytest's JSON at each part's end; the device and bound parts
line by line), and the table (gpu-check.md, gpu-check.json; studies/gpu_check_table.py) is rebuilt after every
part, so a check stopped at its limit or by SIGTERM keeps whatever it finished. A part predicted to outlast the
time left is not started (at the seed sizes, where the predictions apply); one that runs past the limit is
stopped. A second call with --parts adds the rest to the same folder.

Exit status: 0 when every part ran and passed; 1 when a part failed (a gate included) or the suite's step time
and the device's disagree by more than --agree; 3 when every part that ran passed but some did not run; 2 on bad
arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STUDIES = Path(__file__).resolve().parent
ROOT = STUDIES.parent
sys.path[:0] = [str(ROOT), str(STUDIES)]  # run from a checkout: the suite's package and this check's modules

from gpu_check_plan import BACKENDS, PYTEST_PARTS, WORKLOADS, Part, budget_lines, plan  # noqa: E402
from gpu_check_table import assemble, markdown, write_table  # noqa: E402

from mpmodel.core.policies import BASELINE, POLICIES  # noqa: E402

AGREE = 0.10
LIMIT_S = 480.0
ACCURACY_SEEDS = 3
PART_NAMES = ("suite", "cross-check", "bound", "accuracy", "compiled")
TESTS = {"suite": ("benchmarks/test_speedup.py", "benchmarks/test_memory.py"),
         "accuracy": ("benchmarks/test_accuracy.py::test_accuracy",),
         "compiled": ("benchmarks/test_speedup.py",)}


class Stopped(Exception):
    """SIGTERM reached the check: the running part is stopped and the table written."""


def command(part: Part, profile: str, out: Path, accuracy_seeds: int) -> list[str]:
    """The part's process: a pytest session of the suite, this check's device part, or the bound study."""
    if part.name in PYTEST_PARTS:  # -v: the 'mpmodel gates' section, which the table reads
        jit = "on" if part.name == "compiled" else "auto"
        extra = [f"--mp-accuracy-seeds={accuracy_seeds}"] if part.name == "accuracy" else []
        return [sys.executable, "-m", "pytest", *TESTS[part.name], f"--mp-profile={profile}",
                f"--mp-workload={part.workloads[0]}", f"--mp-policies={','.join(part.policies)}", "--mp-fp32=default",
                f"--mp-jit={jit}", *extra,
                f"--benchmark-json={out / f'{part.key}.json'}", "--mp-offline", "-p", "no:cacheprovider", "-v", "-rA"]
    if part.name == "cross-check":
        return [sys.executable, __file__, "--device-part", f"--profile={profile}",
                f"--workloads={','.join(part.workloads)}", f"--policies={','.join(part.policies)}", f"--out={out}"]
    return [sys.executable, str(STUDIES / "speed_of_light_bound.py"), f"--workload={','.join(part.workloads)}",
            f"--profile={profile}", f"--policies={','.join(part.policies)}", "--rounds=7",
            f"--out={out / f'{part.key}.jsonl'}"]


def record(out: Path, part: Part, order: int, **facts) -> None:
    """KEY-run.json: what the part is, how it went; `order` (the plan's) after the time it was written, so that a
    second call's parts (--parts) follow the first's in the table."""
    (out / f"{part.key}-run.json").write_text(json.dumps({
        "key": part.key, "part": part.name, "backend": part.backend, "workloads": list(part.workloads),
        "order": [time.time(), order], "predicted_s": part.predicted_s, **facts}))


def run_part(part: Part, cmd: list[str], out: Path, left_s: float, order: int) -> str:
    """Run one part in a fresh process under its backend, stopped when `left_s` runs out; its status."""
    start = time.perf_counter()
    for stale in (out / f"{part.key}.json", out / f"{part.key}.jsonl"):  # a part run again replaces, never appends
        stale.unlink(missing_ok=True)
    with open(out / f"{part.key}.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "KERAS_BACKEND": part.backend}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=max(1.0, left_s))
            status, reason = "done", ""
        except (subprocess.TimeoutExpired, Stopped) as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            rc = proc.wait()
            status = "stopped"
            reason = "SIGTERM" if isinstance(exc, Stopped) else f"at the check's limit, after {time.perf_counter() - start:.0f} s"
    seconds = time.perf_counter() - start
    record(out, part, order, status=status, reason=reason, rc=rc, seconds=seconds, how=" ".join(cmd[1:]))
    if reason == "SIGTERM":
        raise Stopped()
    return status


def check(parts: list[Part], profile: str, out: Path, agree: float, limit_s: float, accuracy_seeds: int,
          say=print) -> int:
    start = time.perf_counter()
    predicted = profile == "seed"
    say(f"GPU check: {len(parts)} parts, profile {profile}, limit {limit_s:.0f} s" if limit_s else
        f"GPU check: {len(parts)} parts, profile {profile}, no limit")
    if predicted:
        say("predicted on an H200 (studies/gpu_check_plan.py: the suite's cost model on the H200's measured steps):")
        for line in budget_lines(parts, limit_s):
            say(line)
    else:
        say(f"the {profile} sizes: a stand-in, no H200 prediction applies; parts stop only at the limit")

    def stop(signum, frame):
        raise Stopped()

    previous = signal.signal(signal.SIGTERM, stop)
    order = 0
    try:
        for order, part in enumerate(parts):
            spent = time.perf_counter() - start
            left = limit_s - spent if limit_s else float("inf")
            if predicted and part.predicted_s > left:
                record(out, part, order, status="not started",
                       reason=f"predicted {part.predicted_s:.0f} s, {max(0.0, left):.0f} s left of the {limit_s:.0f} s limit")
                say(f"[{spent:5.0f} s] {part.key}: not started (predicted {part.predicted_s:.0f} s, {max(0, left):.0f} s left)")
                continue
            if left <= 0:
                record(out, part, order, status="not started", reason=f"the {limit_s:.0f} s limit was spent")
                say(f"[{spent:5.0f} s] {part.key}: not started (the limit was spent)")
                continue
            say(f"[{spent:5.0f} s] {part.key}: started" + (f" (predicted {part.predicted_s:.0f} s)" if predicted else ""))
            status = run_part(part, command(part, profile, out, accuracy_seeds), out, left, order)
            results = assemble(out, agree)
            done = next(r for r in results["runs"] if r["key"] == part.key)
            say(f"[{time.perf_counter() - start:5.0f} s] {part.key}: {status}, exit {done['rc']} in {done['seconds']:.0f} s")
            write_table({**results, "seconds": time.perf_counter() - start, "limit_s": limit_s}, out, quiet=True)
    except Stopped:
        say("SIGTERM: the check stops here; the table keeps what finished")
        for later, part in enumerate(parts[order + 1:], start=order + 1):
            record(out, part, later, status="not started", reason="SIGTERM")
    finally:
        signal.signal(signal.SIGTERM, previous)
    results = assemble(out, agree)
    results.update(seconds=time.perf_counter() - start, limit_s=limit_s)
    say(markdown(results))
    return write_table(results, out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("gpu-check"), help="folder for the table, JSON and logs")
    ap.add_argument("--profile", default="seed", help="the suite's size (seed on a GPU; tiny to test the check)")
    ap.add_argument("--backends", default=",".join(BACKENDS), help=f"comma-separated, of {', '.join(BACKENDS)}")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help=f"comma-separated, of {', '.join(WORKLOADS)}")
    ap.add_argument("--parts", default=",".join(PART_NAMES), help=f"comma-separated, of {', '.join(PART_NAMES)}")
    ap.add_argument("--policies", default=",".join(POLICIES),
                    help=f"comma-separated, of {', '.join(POLICIES)}; float32, the baseline, always runs")
    ap.add_argument("--compiled-workloads", default="mlp", help="PyTorch compiled for these workloads ('' for none)")
    ap.add_argument("--bound-workloads", default="mlp", help="the speed-of-light bound study for these ('' for none)")
    ap.add_argument("--accuracy-seeds", type=int, default=ACCURACY_SEEDS, help="the accuracy gate's paired seeds")
    ap.add_argument("--limit", type=float, default=LIMIT_S, help="seconds the whole check may take (0: no limit)")
    ap.add_argument("--agree", type=float, default=AGREE, help="largest accepted gap, suite against device timing")
    ap.add_argument("--budget", action="store_true", help="print the parts and their predicted times, run nothing")
    ap.add_argument("--report", action="store_true", help="only rebuild the table from the files a check left in --out")
    ap.add_argument("--device-part", action="store_true", help=argparse.SUPPRESS)  # the per-backend child process
    args = ap.parse_args(argv)
    from mpmodel.core.profiles import PLANS  # noqa: PLC0415

    def names(flag: str, value: str, valid, allow_empty: bool = False) -> list[str]:
        chosen = [v.strip() for v in value.split(",") if v.strip()]
        if (not chosen and not allow_empty) or any(v not in valid for v in chosen):
            ap.error(f"--{flag}: {value!r}; valid: {', '.join(valid)}")
        return chosen

    if args.profile not in PLANS:
        ap.error(f"--profile: unknown size {args.profile!r}; valid: {', '.join(PLANS)}")
    for flag, value, wrong, expected in (("limit", args.limit, args.limit < 0, "0 (no limit) or more seconds"),
                                         ("accuracy-seeds", args.accuracy_seeds, args.accuracy_seeds < 2, "at least 2"),
                                         ("agree", args.agree, args.agree <= 0, "a positive fraction")):
        if wrong:
            ap.error(f"--{flag}: {value}; expected {expected}")
    workloads = names("workloads", args.workloads, WORKLOADS)
    chosen_policies = names("policies", args.policies, POLICIES)
    policies = [p for p in POLICIES if p == BASELINE or p in chosen_policies]  # the baseline first, then in order
    if args.device_part:
        args.out.mkdir(parents=True, exist_ok=True)
        from gpu_check_device import cross_check  # noqa: PLC0415 (loads the backend)

        return cross_check(args.profile, workloads, args.out, policies)
    if args.report:
        if not args.out.is_dir():
            ap.error(f"--out: {args.out} is not a folder a check wrote")
        return write_table(assemble(args.out, args.agree), args.out)
    backends = names("backends", args.backends, BACKENDS)
    chosen = names("parts", args.parts, PART_NAMES)
    compiled = names("compiled-workloads", args.compiled_workloads, WORKLOADS, allow_empty=True)
    bound = names("bound-workloads", args.bound_workloads, WORKLOADS, allow_empty=True)
    parts = [p for p in plan(backends, workloads, args.accuracy_seeds, compiled, bound, policies) if p.name in chosen]
    if args.budget:
        print("\n".join(budget_lines(parts, args.limit)))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    return check(parts, args.profile, args.out.resolve(), args.agree, args.limit, args.accuracy_seeds)


if __name__ == "__main__":
    raise SystemExit(main())
