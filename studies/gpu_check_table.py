"""The GPU check's one table (gpu-check.md and .json), assembled from whatever files its parts left in the
check's folder, so that it can be rebuilt at any time: after each part, after a stop at the limit, with --report.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

from datasheet import datasheet_peak  # studies/datasheet.py, beside this script

from mpmodel.measure.context import describe

BOUND_MAX = 1.02  # an efficiency above this: the step beat its kernels alone, and the table says by how much and why
FACTS_SHOWN = ("GPU", "compute capability", "driver", "CUDA", "cuDNN", "Keras", "torch", "JAX", "CPU")


def read_json(path: Path, default):
    return json.loads(path.read_text()) if path.is_file() else default


def read_lines(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def ms(seconds) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.3f}"


def fmt(value, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def benchmarks(out: Path, key: str) -> list[dict]:
    return read_json(out / f"{key}.json", {}).get("benchmarks", [])


def speedup_rows(backend: str, results: list[dict], gpu: str | None) -> list[dict]:
    """One row per speedup result: both policies' step times from its interleaved rounds, the speedup with its CI,
    the ceiling, both efficiencies, the kernels' TFLOP/s against the datasheet, the verdict."""
    rows = []
    for bench in results:
        info = bench.get("extra_info", {})
        if "speedup" not in info:
            continue
        peak = datasheet_peak(gpu, info["policy"], info.get("tf32"))
        rows.append({
            "backend": backend, "workload": info.get("workload", "mlp"), "policy": info["policy"],
            "compiled": info.get("jit_compile"), "fp32": info.get("fp32"), "tf32": info.get("tf32"),
            "float32_s": statistics.median(info["float32_times"]), "mixed_s": statistics.median(info["mixed_times"]),
            "speedup": info["speedup"], "ci_low": info["speedup_ci_low"], "ci_high": info["speedup_ci_high"],
            "ceiling": info.get("speedup_ceiling"), "float32_efficiency": info.get("float32_efficiency"),
            "efficiency": info.get("efficiency"), "matmul_tflops": info.get("matmul_tflops"),
            "float32_matmul_tflops": info.get("float32_matmul_tflops"),
            "datasheet": peak[0] if peak else None, "datasheet_tflops": peak[1] if peak else None,
            "of_datasheet": info["matmul_tflops"] / peak[1] if peak and info.get("matmul_tflops") else None,
            "min_speedup": info.get("min_speedup"), "source": info.get("expectation_source"),
            "verdict": info.get("gate"), "message": info.get("gate_message")})
    return rows


def memory_rows(backend: str, results: list[dict]) -> list[dict]:
    rows = []
    for bench in results:
        info = bench.get("extra_info", {})
        if "peak_step_bytes" not in info:
            continue
        rows.append({"backend": backend, "workload": info.get("workload", "mlp"), "policy": info["policy"],
                     "peak_step_bytes": info["peak_step_bytes"], "ratio": info.get("memory_ratio"),
                     "analytic_ratio": info.get("analytic_memory_ratio"), "footprint_ratio": info.get("footprint_ratio"),
                     "method": info.get("memory_method"), "verdict": info.get("gate", "-")})
    return rows


def accuracy_rows(backend: str, results: list[dict], seconds) -> list[dict]:
    """One row per accuracy-gate result: the paired deltas' mean, spread and bound, the verdict, the part's time."""
    rows = []
    for bench in results:
        info = bench.get("extra_info", {})
        if "accuracy_delta_low" not in info:
            continue
        rows.append({"backend": backend, "workload": info.get("workload", "mlp"), "policy": info["policy"],
                     "fp32": info.get("fp32"), "seeds": len(info["seeds"]), "delta": info["accuracy_delta"],
                     "sd": info.get("accuracy_delta_sd"), "low": info["accuracy_delta_low"],
                     "tolerance": info.get("accuracy_tol"), "float32": info.get("float32_test_accuracy"),
                     "verdict": info.get("gate"), "run_s": seconds})
    return rows


GATE_LINE = re.compile(r"^(pass|skip|FAIL) (test_\w+\[[^\]]+\]): (.*)$")


def gate_lines(log: Path) -> list[dict]:
    """The session's gate summary (after pytest's 'mpmodel gates' line): every verdict, a skip's or failure's reason
    included, for the tests that left no result in the JSON (a step that does not run here, a crawl)."""
    if not log.is_file():
        return []
    text = log.read_text(errors="replace")
    _, found, summary = text.partition(" mpmodel gates ")
    return [{"outcome": m[1], "test": m[2], "message": m[3]} for m in map(GATE_LINE.match, summary.splitlines()) if m] \
        if found else []


def cross_rows(rows: list[dict]) -> list[dict]:
    """The device part's rows, with the gap between the suite's rounds and the device's clock."""
    return [{**r, "suite_vs_device": r["suite_step_s"] / r["device_step_s"] - 1 if r.get("device_step_s") else None}
            for r in rows]  # a row with an error (the step does not run here) has neither


def eager_against_compiled(speedups: list[dict]) -> list[dict]:
    """Each backend's eager and compiled steps side by side, per workload and policy (float32's from each speedup
    row), where the check ran both (PyTorch's `compiled` part against its `suite` part)."""
    by = {}
    for r in speedups:
        for policy, seconds in ((r["policy"], r["mixed_s"]), ("float32", r["float32_s"])):
            slot = by.setdefault((r["backend"], r["workload"], policy), {})
            slot.setdefault(bool(r["compiled"]), seconds)
            if policy != "float32":
                slot.setdefault(("speedup", bool(r["compiled"])), r["speedup"])
    rows = []
    for (backend, workload, policy), slot in sorted(by.items()):
        if False in slot and True in slot:
            rows.append({"backend": backend, "workload": workload, "policy": policy, "eager_s": slot[False],
                         "compiled_s": slot[True], "compiled_over_eager": slot[True] / slot[False],
                         "eager_speedup": slot.get(("speedup", False)), "compiled_speedup": slot.get(("speedup", True))})
    return rows


def above_bound(speedups: list[dict], bound: list[dict]) -> list[str]:
    """Each efficiency above BOUND_MAX, with what the bound part measured for the same workload and policy."""
    notes = []
    for r in speedups:
        for policy, value in (("float32", r["float32_efficiency"]), (r["policy"], r["efficiency"])):
            if value is None or value <= BOUND_MAX:
                continue
            rows = [b for b in bound if (b["backend"], b["workload"], b["policy"]) == (r["backend"], r["workload"], policy)]
            cause = "; ".join(f"{b['variant']} {b['efficiency']:.2f} [{b['ci'][0]:.2f}, {b['ci'][1]:.2f}]" for b in rows) \
                or "not measured: the bound part did not run for it"
            beside = f", in the {r['policy']} speedup's rounds" if policy == "float32" else ""
            note = f"{r['backend']} {r['workload']} {policy} (compiled {r['compiled']}{beside}): efficiency {value:.2f} > " \
                   f"{BOUND_MAX}; interleaved against the step: {cause}"
            if note not in notes:
                notes.append(note)
    return notes


def assemble(out: Path, agree: float) -> dict:
    """One results table from the files a check's parts left in `out` (each part's KEY-run.json says what ran)."""
    results = {"folder": str(out), "context": {}, "speedups": [], "memory": [], "accuracy": [], "cross": [], "bound": [],
               "gates": [], "runs": [], "failures": [], "incomplete": []}
    runs = sorted((read_json(p, {}) for p in out.glob("*-run.json")), key=lambda r: r.get("order", [0, 0]))
    for run in runs:
        key = run.get("key", "?")
        results["runs"].append(run)
        if run.get("status") != "done":
            results["incomplete"].append(f"{key}: {run.get('status', '?')}" + (f": {run['reason']}" if run.get("reason") else ""))
            continue
        if run.get("rc") != 0:
            results["failures"].append(f"{key}: exited {run.get('rc')} (see {out / f'{key}.log'})")
        found = _part_rows(out, run, results)
        if run.get("rc") == 0 and not found:
            results["failures"].append(f"{key}: exited 0 but left no results (see {out / f'{key}.log'})")
    for r in results["cross"]:
        if r["suite_vs_device"] is not None and abs(r["suite_vs_device"]) > agree:
            results["failures"].append(
                f"{r['backend']} {r['workload']} {r['policy']}: the suite's rounds time {ms(r['suite_step_s'])} ms per step, "
                f"the device {ms(r['device_step_s'])} ms ({r['device_method']}): {r['suite_vs_device']:+.1%}, beyond the "
                f"{agree:.0%} they must agree within")
    results["compiled"] = eager_against_compiled(results["speedups"])
    results["above_bound"] = above_bound(results["speedups"], results["bound"])
    return results


def _part_rows(out: Path, run: dict, results: dict) -> int:
    """Add one finished part's rows to `results`; how many it left."""
    key, part, backend = run["key"], run["part"], run["backend"]
    if part in ("cross-check", "bound"):
        rows = read_lines(out / f"{key}.jsonl")
        rows = cross_rows(rows) if part == "cross-check" else rows
        results["cross" if part == "cross-check" else "bound"] += rows
        return len(rows)
    results["gates"] += [{"part": key, **g} for g in gate_lines(out / f"{key}.log")]
    document = read_json(out / f"{key}.json", {})
    facts = describe(document.get("machine_info", {}))
    if facts and backend not in results["context"]:
        results["context"][backend] = facts
        results["profile"] = facts.get("profile", results.get("profile"))
        results["date"] = document.get("datetime", "")[:16].replace("T", " ")
    found = document.get("benchmarks", [])
    if part == "accuracy":
        rows = accuracy_rows(backend, found, run.get("seconds"))
        results["accuracy"] += rows
        return len(rows)
    rows = speedup_rows(backend, found, facts.get("GPU"))
    results["speedups"] += rows
    memory = memory_rows(backend, found) if part == "suite" else []
    results["memory"] += memory
    return len(rows) + len(memory)


def table(title: str, columns: list[str], rows: list[list]) -> list[str]:
    """A markdown section: its title, a header and one line a row (nothing where there are no rows)."""
    if not rows:
        return []
    return ["", f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns),
            *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)]


def speedup_cells(r: dict) -> list:
    sheet = f"{r['of_datasheet']:.0%} of {r['datasheet']} {r['datasheet_tflops']:g}" if r["of_datasheet"] else "-"
    return [r["workload"], r["backend"], r["compiled"], r["policy"], ms(r["float32_s"]), ms(r["mixed_s"]),
            f"{r['speedup']:.2f}x", f"{r['ci_low']:.2f}-{r['ci_high']:.2f}", f"{fmt(r['ceiling'])}x",
            f"{fmt(r['float32_efficiency'])} / {fmt(r['efficiency'])}", fmt(r["matmul_tflops"], ".1f"), sheet, r["verdict"]]


def cross_cells(r: dict) -> list:
    if r.get("error"):
        return [r["workload"], r["backend"], r["policy"], "-", "-", "-", "-", "-", f"does not run here: {r['error']}"]
    gap = "-" if r["suite_vs_device"] is None else f"{r['suite_vs_device']:+.1%}"
    return [r["workload"], r["backend"], r["policy"], r["steps_per_round"], ms(r["suite_step_s"]), ms(r.get("device_step_s")),
            gap, fmt(r.get("busy_share"), ".0%"), r["device_method"]]


def markdown(results: dict) -> str:
    lines = [f"# GPU check ({results.get('profile', '?')} sizes), {results.get('date', '')}", ""]
    for backend, facts in results["context"].items():
        lines.append(f"- {backend}: " + "; ".join(f"{k} {facts[k]}" for k in FACTS_SHOWN if k in facts))
    lines += table("Steps and speedup (interleaved rounds; speedup: median of pair ratios, 95% CI)",
                   ["workload", "backend", "compiled", "policy", "float32 ms", "mixed ms", "speedup", "95% CI", "ceiling",
                    "efficiency float32 / mixed", "kernels TFLOP/s", "of datasheet", "verdict"],
                   [speedup_cells(r) for r in results["speedups"]])
    if results["above_bound"]:
        lines += ["", "Efficiencies above the bound, with what the bound part measured:", ""]
        lines += [f"- {note}" for note in results["above_bound"]]
    lines += table("Eager against compiled (PyTorch: torch.compile, --mp-jit on)",
                   ["workload", "backend", "policy", "eager ms", "compiled ms", "compiled / eager", "eager speedup",
                    "compiled speedup"],
                   [[r["workload"], r["backend"], r["policy"], ms(r["eager_s"]), ms(r["compiled_s"]),
                     f"{r['compiled_over_eager']:.2f}", fmt(r["eager_speedup"]), fmt(r["compiled_speedup"])]
                    for r in results["compiled"]])
    lines += table("The device's own clock against the suite's rounds",
                   ["workload", "backend", "policy", "K", "suite ms", "device ms", "suite / device", "GPU busy",
                    "device timing"], [cross_cells(r) for r in results["cross"]])
    lines += table("Is the speed of light a bound? (kernels alone / step, interleaved rounds, 95% CI)",
                   ["workload", "backend", "policy", "kernels run as", "step ms", "kernels ms", "efficiency", "95% CI"],
                   [[r["workload"], r["backend"], r["policy"], r["variant"], f"{r['step_ms']:.3f}", f"{r['kernels_ms']:.3f}",
                     f"{r['efficiency']:.3f}", f"{r['ci'][0]:.3f}-{r['ci'][1]:.3f}"] for r in results["bound"]])
    lines += table("Memory per policy (the step's peak, in a fresh process)",
                   ["workload", "backend", "policy", "peak step MiB", "/ float32", "analytic / float32",
                    "footprint / float32", "verdict"],
                   [[r["workload"], r["backend"], r["policy"], f"{r['peak_step_bytes'] / 2**20:.1f}", fmt(r["ratio"]),
                     fmt(r["analytic_ratio"]), fmt(r["footprint_ratio"]), r["verdict"]] for r in results["memory"]])
    lines += table("Accuracy gate (paired fits: mean delta, mixed minus float32, and its 95% lower bound)",
                   ["workload", "backend", "policy", "seeds", "float32 accuracy", "mean delta", "sd", "95% lower bound",
                    "tolerance", "verdict", "part s"],
                   [[r["workload"], r["backend"], r["policy"], r["seeds"], fmt(r["float32"], ".4f"), f"{r['delta']:+.4f}",
                     fmt(r["sd"], ".4f"), f"{r['low']:+.4f}", r["tolerance"], r["verdict"], fmt(r["run_s"], ".0f")]
                    for r in results["accuracy"]])
    unmet = [g for g in results["gates"] if g["outcome"] != "pass"]
    if unmet:
        lines += ["", "## Gates that did not pass (from each part's gate summary)", ""]
        lines += [f"- {g['outcome']} {g['part']} {g['test']}: {g['message'][:400]}" for g in unmet]
    lines += table("Parts", ["part", "workloads", "status", "exit", "seconds", "predicted s (H200)"],
                   [[run.get("key"), ", ".join(run.get("workloads", [])),
                     run.get("status", "?") + (f": {run['reason']}" if run.get("reason") else ""), run.get("rc", "-"),
                     fmt(run.get("seconds"), ".0f"), fmt(run.get("predicted_s"), ".0f")] for run in results["runs"]])
    if "seconds" in results:
        lines.append(f"\nThe whole check: {results['seconds']:.0f} s (limit {results.get('limit_s', 0):.0f} s).")
    return "\n".join(lines) + "\n"


def write_table(results: dict, out: Path, quiet: bool = False) -> int:
    """gpu-check.md and .json, each written whole (a stop mid-write leaves the previous one); the exit status: 1 for
    a failure, 3 for parts that did not run, else 0."""
    for name, text in (("gpu-check.json", json.dumps(results, indent=1)), ("gpu-check.md", markdown(results))):
        partial = out / f".{name}.partial"
        partial.write_text(text)
        partial.replace(out / name)
    if quiet:
        return 0
    for line in results["failures"]:
        print(f"FAILED {line}")
    for line in results["incomplete"]:
        print(f"INCOMPLETE {line}")
    if results["failures"]:
        return 1
    return 3 if results["incomplete"] else 0
