"""One GPU check: the suite's step-time and speedup benchmarks on PyTorch and JAX, cross-checked against
device-side timing and the datasheet, in one results table.

    python studies/gpu_check.py --out gpu-check               # on a machine with an NVIDIA GPU (seed profile)
    python studies/gpu_check.py --profile tiny --out /tmp/gc  # anywhere: CI's run of it, on the CPU

For each backend, in fresh processes:
1. `pytest benchmarks/test_step_time.py benchmarks/test_speedup.py` under the profile, gates on,
   results in BACKEND.json and the log in BACKEND.log;
2. each policy's steps timed again by the suite's own rounds and by the device: under PyTorch, CUDA
   events around the same rounds and the profiler's kernel-busy share of one round; under JAX, K of the
   model's train_steps fused into one jitted `lax.fori_loop` ending in `block_until_ready`;
3. with --accuracy, the accuracy gate (`benchmarks/test_accuracy.py::test_accuracy`, the decay recipe's
   paired seeds), results in BACKEND-accuracy.json, its wall time in the table.
Then one table, gpu-check.md (and gpu-check.json): the device, driver and versions; per policy and
float32 variant the step time, TFLOP/s, efficiency, the matmuls' TFLOP/s against the datasheet's peak,
and the cross-check; per mixed policy the speedup with its CI, the ceiling and the gate's verdict.

Exit status 1 when a suite run failed (a gate included) or the suite's step time and the device's
disagree by more than --agree (default 10%); 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout: the suite's package without installing it

from mpmodel.core.datasheet import datasheet_peak  # noqa: E402
from mpmodel.measure.context import describe  # noqa: E402

BACKENDS = ("torch", "jax")
TESTS = ("benchmarks/test_step_time.py", "benchmarks/test_speedup.py")
CROSS_CHECK_ROUNDS = 7
AGREE = 0.10


ACCURACY_TESTS = ("benchmarks/test_accuracy.py::test_accuracy",)


# The check's tables and cross-check read the seed MLP's results: the suite's default on a GPU (all built-in workloads)
# is narrowed to it until the check reports per workload.
WORKLOAD = "mlp"


def run_suite(backend: str, profile: str, out: Path, tests=TESTS, part: str = "") -> None:
    """The suite's `tests` under `backend`, in a fresh process: BACKEND{part}.json, .log and -run.json."""
    name = f"{backend}{part}"
    cmd = [sys.executable, "-m", "pytest", *tests, f"--mp-profile={profile}", f"--mp-workload={WORKLOAD}",
           f"--benchmark-json={out / f'{name}.json'}",
           "--mp-offline", "-p", "no:cacheprovider", "-q", "-rA"]
    start = time.perf_counter()
    with open(out / f"{name}.log", "w") as log:
        rc = subprocess.call(cmd, cwd=ROOT, env={**os.environ, "KERAS_BACKEND": backend}, stdout=log,
                             stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    (out / f"{name}-run.json").write_text(json.dumps({"rc": rc, "seconds": seconds, "how": " ".join(cmd[1:])}))
    print(f"[{backend}] suite{part}: exit {rc} in {seconds:.0f} s ({out / f'{name}.log'})", flush=True)


def run_cross_check(backend: str, profile: str, out: Path) -> None:
    """This script's --cross-check under `backend`, in a fresh process: BACKEND-cross-check.json and .log."""
    cmd = [sys.executable, __file__, "--cross-check", f"--profile={profile}", f"--out={out}"]
    start = time.perf_counter()
    with open(out / f"{backend}-cross-check.log", "w") as log:
        rc = subprocess.call(cmd, cwd=ROOT, env={**os.environ, "KERAS_BACKEND": backend}, stdout=log,
                             stderr=subprocess.STDOUT)
    print(f"[{backend}] cross-check: exit {rc} in {time.perf_counter() - start:.0f} s", flush=True)


def read_json(path: Path, default):
    return json.loads(path.read_text()) if path.is_file() else default


def cross_check(profile_name: str, out: Path) -> int:
    """In this process (KERAS_BACKEND set): each policy's rounds by the host and by the device."""
    import keras  # noqa: PLC0415 (the backend under check loads here, after KERAS_BACKEND is set)

    from mpmodel.core.backends import runtime  # noqa: PLC0415 (imports the backend's framework)
    from mpmodel.core.data.synthetic import synthetic_mnist  # noqa: PLC0415
    from mpmodel.core.model import build_model  # noqa: PLC0415
    from mpmodel.core.policies import POLICIES  # noqa: PLC0415
    from mpmodel.core.profiles import get_profile  # noqa: PLC0415
    from mpmodel.core.training import TrainingStep  # noqa: PLC0415
    from mpmodel.measure.rounds import steps_per_round, warm_up  # noqa: PLC0415

    backend = keras.backend.backend()
    rt = runtime()
    profile = get_profile(profile_name)
    data = synthetic_mnist(4 * profile.batch_size, profile.batch_size)
    rows = []
    for policy in POLICIES:
        step = TrainingStep(build_model(policy, profile), data, profile.batch_size)
        k = steps_per_round(warm_up(step.run, profile.timing_warmup).step_s)
        row = {"backend": backend, "policy": policy, "steps_per_round": k, "harness": step.harness}
        fused = rt.fused_loop(step.model, step.batches)
        if fused is None:  # device events where the backend has them (CUDA events under PyTorch), else the host clock
            timings = rt.event_rounds(step.run, k, CROSS_CHECK_ROUNDS)
            row["suite_step_s"] = statistics.median(t.host_s for t in timings)
            devices = [t.device_s for t in timings if t.device_s is not None]
            row["device_step_s"] = statistics.median(devices) if devices else None
            row["device_method"] = "CUDA events around the suite's rounds" if devices else "none (no CUDA device)"
            row["busy_share"], row["busy_method"] = rt.kernel_busy_share(step.run, k)
        else:
            fused(k)  # compiles the K-step loop
            suite, device = [], []
            for _ in range(CROSS_CHECK_ROUNDS):  # interleaved: the same conditions for both
                t0 = time.perf_counter()
                step.run(k)
                suite.append((time.perf_counter() - t0) / k)
                t0 = time.perf_counter()
                fused(k)
                device.append((time.perf_counter() - t0) / k)
            row["suite_step_s"], row["device_step_s"] = statistics.median(suite), statistics.median(device)
            row["device_method"] = "K train_steps in one jitted lax.fori_loop, block_until_ready"
        print(json.dumps(row), flush=True)
        rows.append(row)
    (out / f"{backend}-cross-check.json").write_text(json.dumps(rows, indent=1))
    return 0


def ms(seconds) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.3f}"


def fmt(value, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def step_rows(backend: str, suite: dict, cross: dict, gpu_name: str | None) -> list[dict]:
    """One row per step-time result: the suite's numbers, the datasheet's peak, the device's own timing."""
    crossed = {r["policy"]: r for r in cross["rows"]}
    rows = []
    for bench in suite["benchmarks"]:
        info = bench.get("extra_info", {})
        if "step_median_s" not in info:
            continue
        peak = datasheet_peak(gpu_name, info["policy"], info.get("tf32"))
        check = crossed.get(info["policy"]) if info.get("fp32") == "default" else None
        gap = None
        if check and check.get("device_step_s"):
            gap = check["suite_step_s"] / check["device_step_s"] - 1
        rows.append({
            "backend": backend, "policy": info["policy"], "fp32": info.get("fp32"), "tf32": info.get("tf32"),
            "jit_compile": info.get("jit_compile"), "step_s": info["step_median_s"], "tflops": info.get("tflops"),
            "efficiency": info.get("efficiency"), "matmul_tflops": info.get("matmul_tflops"),
            "host_overhead_s": info.get("host_overhead_s"), "steps_per_round": info.get("steps_per_round"),
            "datasheet": peak[0] if peak else None, "datasheet_tflops": peak[1] if peak else None,
            "of_datasheet": info["matmul_tflops"] / peak[1] if peak and info.get("matmul_tflops") else None,
            "cross_suite_s": check.get("suite_step_s") if check else None,
            "cross_device_s": check.get("device_step_s") if check else None,
            "cross_method": check.get("device_method") if check else None,
            "busy_share": check.get("busy_share") if check else None, "suite_vs_device": gap,
        })
    return rows


def speedup_rows(backend: str, suite: dict) -> list[dict]:
    rows = []
    for bench in suite["benchmarks"]:
        info = bench.get("extra_info", {})
        if "speedup" not in info:
            continue
        rows.append({"backend": backend, "policy": info["policy"], "fp32": info.get("fp32"), "tf32": info.get("tf32"),
                     "speedup": info["speedup"], "ci_low": info["speedup_ci_low"], "ci_high": info["speedup_ci_high"],
                     "ceiling": info.get("speedup_ceiling"), "min_speedup": info.get("min_speedup"),
                     "source": info.get("expectation_source"), "verdict": info.get("gate"),
                     "message": info.get("gate_message")})
    return rows


def accuracy_rows(backend: str, suite: dict, run: dict) -> list[dict]:
    """One row per accuracy-gate result: the paired deltas' mean, spread and bound, the verdict, the run's time."""
    rows = []
    for bench in suite.get("benchmarks", []):
        info = bench.get("extra_info", {})
        if "accuracy_delta_low" not in info:
            continue
        rows.append({"backend": backend, "policy": info["policy"], "fp32": info.get("fp32"), "seeds": len(info["seeds"]),
                     "delta": info["accuracy_delta"], "sd": info.get("accuracy_delta_sd"), "low": info["accuracy_delta_low"],
                     "tolerance": info.get("accuracy_tol"), "float32": info.get("float32_test_accuracy"),
                     "verdict": info.get("gate"), "run_s": run.get("seconds")})
    return rows


def markdown(results: dict) -> str:
    lines = [f"# GPU check ({results.get('profile')} profile), {results.get('date')}", ""]
    for backend, facts in results["context"].items():
        keep = ("GPU", "compute capability", "driver", "CUDA", "cuDNN", "Keras", "torch", "JAX", "CPU")
        lines.append(f"- {backend}: " + "; ".join(f"{k} {facts[k]}" for k in keep if k in facts))
    lines += ["", "## Step time (per step; matmuls' TFLOP/s against the datasheet's dense peak)", "",
              "| backend | policy | float32 | TF32 | step ms | TFLOP/s | efficiency | matmul TFLOP/s | datasheet | "
              "of datasheet | K | host overhead ms | device-timed ms | suite / device | GPU busy |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["steps"]:
        sheet = f"{r['datasheet']} {r['datasheet_tflops']:g}" if r["datasheet"] else "-"
        gap = "-" if r["suite_vs_device"] is None else f"{r['suite_vs_device']:+.1%}"
        lines.append(f"| {r['backend']} | {r['policy']} | {r['fp32']} | {r['tf32']} | {ms(r['step_s'])} | "
                     f"{fmt(r['tflops'], '.1f')} | {fmt(r['efficiency'])} | {fmt(r['matmul_tflops'], '.1f')} | {sheet} | "
                     f"{fmt(r['of_datasheet'], '.0%')} | {r['steps_per_round']} | {ms(r['host_overhead_s'])} | "
                     f"{ms(r['cross_device_s'])} | {gap} | {fmt(r['busy_share'], '.0%')} |")
    lines += ["", "## Speedup over float32 (interleaved rounds, median of pair ratios, 95% CI)", "",
              "| backend | policy | float32 | TF32 | speedup | 95% CI | ceiling | gate minimum | source | verdict |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["speedups"]:
        lines.append(f"| {r['backend']} | {r['policy']} | {r['fp32']} | {r['tf32']} | {r['speedup']:.2f}x | "
                     f"{r['ci_low']:.2f}-{r['ci_high']:.2f} | {fmt(r['ceiling'])}x | {fmt(r['min_speedup'])} | "
                     f"{r['source']} | {r['verdict']} |")
    if results.get("accuracy"):
        lines += ["", "## Accuracy gate (decay recipe: mean paired delta, mixed minus float32, and its 95% lower bound)", "",
                  "| backend | policy | float32 | seeds | float32 accuracy | mean delta | sd | 95% lower bound | tolerance | "
                  "verdict | accuracy run s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in results["accuracy"]:
            lines.append(f"| {r['backend']} | {r['policy']} | {r['fp32']} | {r['seeds']} | {fmt(r['float32'], '.4f')} | "
                         f"{r['delta']:+.4f} | {fmt(r['sd'], '.4f')} | {r['low']:+.4f} | {r['tolerance']} | {r['verdict']} | "
                         f"{fmt(r['run_s'], '.0f')} |")
    lines += ["", "## Runs", ""]
    for backend, run in results["runs"].items():
        took = "-" if run["suite_s"] is None else f"{run['suite_s']:.0f} s"
        lines.append(f"- {backend}: suite exit {run['suite_rc']} in {took} ({run['how']}); device timing: {run['methods']}")
    if "seconds" in results:
        lines.append(f"- the whole check: {results['seconds']:.0f} s")
    return "\n".join(lines) + "\n"


def assemble(out: Path, backends: list[str], agree: float) -> dict:
    """One results table from a check's files in `out` (BACKEND.json, -run.json, -cross-check.json)."""
    results = {"folder": str(out), "context": {}, "steps": [], "speedups": [], "runs": {}, "failures": []}
    failed = results["failures"]
    for backend in backends:
        suite = read_json(out / f"{backend}.json", {})
        run = read_json(out / f"{backend}-run.json", {"rc": None, "seconds": None, "how": "not run"})
        cross = {"rows": read_json(out / f"{backend}-cross-check.json", [])}
        facts = describe(suite.get("machine_info", {}))
        benchmarks = suite.get("benchmarks", [])
        results["profile"] = facts.get("profile", results.get("profile"))
        results["date"] = suite.get("datetime", "")[:16].replace("T", " ")
        results["context"][backend] = facts
        results["steps"] += step_rows(backend, {"benchmarks": benchmarks}, cross, facts.get("GPU"))
        results["speedups"] += speedup_rows(backend, {"benchmarks": benchmarks})
        methods = sorted({r.get("device_method", "?") for r in cross["rows"]})
        results["runs"][backend] = {"suite_rc": run["rc"], "suite_s": run["seconds"], "how": run["how"],
                                    "methods": "; ".join(methods) or "none"}
        if run["rc"] != 0 or not benchmarks:
            failed.append(f"{backend}: the suite exited {run['rc']} with {len(benchmarks)} results "
                          f"(see {out / f'{backend}.log'})")
        if not cross["rows"]:
            failed.append(f"{backend}: the cross-check wrote no rows (see {out / f'{backend}-cross-check.log'})")
        accuracy_run = read_json(out / f"{backend}-accuracy-run.json", None)
        if accuracy_run is not None:  # the check ran with --accuracy
            results.setdefault("accuracy", [])
            rows = accuracy_rows(backend, read_json(out / f"{backend}-accuracy.json", {}), accuracy_run)
            results["accuracy"] += rows
            if accuracy_run["rc"] != 0 or not rows:
                failed.append(f"{backend}: the accuracy gate exited {accuracy_run['rc']} with {len(rows)} results "
                              f"(see {out / f'{backend}-accuracy.log'})")
    for r in results["steps"]:
        if r["suite_vs_device"] is not None and abs(r["suite_vs_device"]) > agree:
            failed.append(f"{r['backend']} {r['policy']}: the suite's rounds time {ms(r['cross_suite_s'])} ms per step, "
                          f"the device {ms(r['cross_device_s'])} ms ({r['cross_method']}): {r['suite_vs_device']:+.1%}, "
                          f"beyond the {agree:.0%} they must agree within")
    return results


def write_table(results: dict, out: Path) -> int:
    (out / "gpu-check.json").write_text(json.dumps(results, indent=1))
    table = markdown(results)
    (out / "gpu-check.md").write_text(table)
    print(table)
    for line in results["failures"]:
        print(f"FAILED {line}")
    return 1 if results["failures"] else 0


def check(backends: list[str], profile: str, out: Path, agree: float, accuracy: bool = False) -> int:
    start = time.perf_counter()
    for backend in backends:
        run_suite(backend, profile, out)
        run_cross_check(backend, profile, out)
        if accuracy:
            run_suite(backend, profile, out, ACCURACY_TESTS, "-accuracy")
    results = assemble(out, backends, agree)
    results["seconds"] = time.perf_counter() - start
    return write_table(results, out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("gpu-check"), help="folder for the table, JSON and logs")
    ap.add_argument("--profile", default="seed", help="the suite's profile (seed on a GPU; tiny to test the check)")
    ap.add_argument("--backends", default=",".join(BACKENDS), help=f"comma-separated, of {', '.join(BACKENDS)}")
    ap.add_argument("--agree", type=float, default=AGREE, help="largest accepted gap, suite against device timing")
    ap.add_argument("--accuracy", action="store_true", help="also run the accuracy gate and time it")
    ap.add_argument("--report", action="store_true", help="only rebuild the table from the files a check left in --out")
    ap.add_argument("--cross-check", action="store_true", help=argparse.SUPPRESS)  # the per-backend child process
    args = ap.parse_args(argv)
    from mpmodel.core.profiles import PROFILES  # noqa: PLC0415

    if args.profile not in PROFILES:
        ap.error(f"--profile: unknown profile {args.profile!r}; valid: {', '.join(PROFILES)}")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or any(b not in BACKENDS for b in backends):
        ap.error(f"--backends: {args.backends!r}; valid: {', '.join(BACKENDS)}")
    if args.report:
        if not args.out.is_dir():
            ap.error(f"--out: {args.out} is not a folder a check wrote")
        return write_table(assemble(args.out, backends, args.agree), args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.cross_check:
        return cross_check(args.profile, args.out)
    return check(backends, args.profile, args.out.resolve(), args.agree, args.accuracy)


if __name__ == "__main__":
    raise SystemExit(main())
