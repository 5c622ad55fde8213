"""The GPU check's orchestration: parts in fresh processes, the limit (a part predicted not to fit is not started,
one that outlasts it is stopped), SIGTERM, the table rebuilt after every part so that a stopped check keeps what
finished, and bad arguments in one line."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import import_study

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ROOT / "studies"
SCRIPT = STUDIES / "gpu_check.py"


@pytest.fixture(scope="module")
def gpu_check():
    return import_study("gpu_check")


def speedup_result(workload, policy, speedup, compiled=False, efficiency=0.5):
    return {"name": f"test_speedup[{workload}-{policy}]", "extra_info": {
        "workload": workload, "policy": policy, "jit_compile": compiled, "fp32": "default", "tf32": False,
        "float32_times": [0.02, 0.021, 0.019], "mixed_times": [0.02 / speedup] * 3, "speedup": speedup,
        "speedup_ci_low": speedup * 0.95, "speedup_ci_high": speedup * 1.05, "speedup_ceiling": 2.0,
        "float32_efficiency": 0.8, "efficiency": efficiency, "matmul_tflops": 1.0, "gate": "pass"}}


def stand_in(results: list[dict], seconds: float = 0.0, rc: int = 0) -> str:
    """A part's process: sleeps, writes pytest-benchmark's JSON where the part's command names it, exits `rc`."""
    return (f"import json, sys, time; time.sleep({seconds}); "
            f"out = [a.split('=', 1)[1] for a in sys.argv if a.startswith('--benchmark-json=')]; "
            f"out and open(out[0], 'w').write(json.dumps({{'benchmarks': {results!r}}})); sys.exit({rc})")


def fake_commands(monkeypatch, gpu_check, behaviour):
    """Each part runs `behaviour[key]` = (results, seconds, rc) instead of its real command."""
    def command(part, profile, out, seeds):
        results, seconds, rc = behaviour[part.key]
        return [sys.executable, "-c", stand_in(results, seconds, rc), f"--benchmark-json={out / f'{part.key}.json'}"]

    monkeypatch.setattr(gpu_check, "command", command)


def parts(gpu_check, *specs):
    from gpu_check_plan import Part

    return [Part(backend, name, (workload,), predicted) for backend, name, workload, predicted in specs]


def test_every_part_in_its_own_process_and_one_table(gpu_check, monkeypatch, tmp_path):
    plan = parts(gpu_check, ("jax", "suite", "mlp", 10), ("torch", "suite", "mlp", 10), ("torch", "compiled", "mlp", 10))
    fake_commands(monkeypatch, gpu_check, {
        "jax-suite-mlp": ([speedup_result("mlp", "mixed_bfloat16", 2.0)], 0, 0),
        "torch-suite-mlp": ([speedup_result("mlp", "mixed_bfloat16", 3.0, efficiency=1.2)], 0, 0),
        "torch-compiled-mlp": ([speedup_result("mlp", "mixed_bfloat16", 4.0, compiled=True)], 0, 0)})
    said = []
    assert gpu_check.check(plan, "tiny", tmp_path, 0.1, 60, 3, say=said.append) == 0
    results = json.loads((tmp_path / "gpu-check.json").read_text())
    assert [r["status"] for r in results["runs"]] == ["done"] * 3 and results["failures"] == []
    assert [(r["backend"], r["compiled"], r["speedup"]) for r in results["speedups"]] == [
        ("jax", False, 2.0), ("torch", False, 3.0), ("torch", True, 4.0)]
    float32, bf16 = results["compiled"]  # PyTorch's eager and compiled steps side by side, float32's included
    assert float32["policy"] == "float32" and float32["compiled_over_eager"] == pytest.approx(1.0)
    assert bf16["policy"] == "mixed_bfloat16" and bf16["compiled_over_eager"] == pytest.approx(0.75)
    assert (bf16["eager_speedup"], bf16["compiled_speedup"]) == (3.0, 4.0)
    assert results["above_bound"] == ["torch mlp mixed_bfloat16 (compiled False): efficiency 1.20 > 1.02; interleaved "
                                      "against the step: not measured: the bound part did not run for it"]
    table = (tmp_path / "gpu-check.md").read_text()
    assert "## Eager against compiled (PyTorch" in table and "| torch-compiled-mlp | mlp | done | 0 |" in table
    assert any(line.endswith("torch-suite-mlp: started") for line in said)
    assert any("torch-suite-mlp: done, exit 0" in line for line in said)


def test_a_part_run_again_replaces_its_results(gpu_check, monkeypatch, tmp_path):
    plan = parts(gpu_check, ("jax", "suite", "mlp", 10))
    fake_commands(monkeypatch, gpu_check, {"jax-suite-mlp": ([speedup_result("mlp", "mixed_bfloat16", 2.0)], 0, 0)})
    assert gpu_check.check(plan, "tiny", tmp_path, 0.1, 60, 3, say=lambda line: None) == 0
    # this time the part dies before it writes anything: the first call's results must not stand in for it
    monkeypatch.setattr(gpu_check, "command", lambda *args: [sys.executable, "-c", "raise SystemExit(1)"])
    assert gpu_check.check(plan, "tiny", tmp_path, 0.1, 60, 3, say=lambda line: None) == 1
    assert json.loads((tmp_path / "gpu-check.json").read_text())["speedups"] == []


def test_a_failed_part_or_one_that_leaves_nothing_fails_the_check(gpu_check, monkeypatch, tmp_path):
    plan = parts(gpu_check, ("jax", "suite", "mlp", 10), ("torch", "suite", "mlp", 10))
    fake_commands(monkeypatch, gpu_check, {"jax-suite-mlp": ([speedup_result("mlp", "mixed_float16", 2.0)], 0, 1),
                                           "torch-suite-mlp": ([], 0, 0)})
    assert gpu_check.check(plan, "tiny", tmp_path, 0.1, 60, 3, say=lambda line: None) == 1
    failures = json.loads((tmp_path / "gpu-check.json").read_text())["failures"]
    assert failures == [f"jax-suite-mlp: exited 1 (see {tmp_path / 'jax-suite-mlp.log'})",
                        f"torch-suite-mlp: exited 0 but left no results (see {tmp_path / 'torch-suite-mlp.log'})"]


@pytest.mark.framework
def test_the_limit_stops_a_part_and_keeps_what_finished(gpu_check, monkeypatch, tmp_path):
    plan = parts(gpu_check, ("jax", "suite", "mlp", 1), ("torch", "suite", "mlp", 1), ("jax", "accuracy", "mlp", 1))
    fake_commands(monkeypatch, gpu_check, {"jax-suite-mlp": ([speedup_result("mlp", "mixed_float16", 2.0)], 0, 0),
                                           "torch-suite-mlp": ([], 60, 0), "jax-accuracy-mlp": ([], 0, 0)})
    start = time.perf_counter()
    assert gpu_check.check(plan, "tiny", tmp_path, 0.1, 4, 3, say=lambda line: None) == 3  # incomplete, nothing failed
    assert time.perf_counter() - start < 30
    results = json.loads((tmp_path / "gpu-check.json").read_text())
    assert [r["status"] for r in results["runs"]] == ["done", "stopped", "not started"]
    assert results["runs"][1]["reason"].startswith("at the check's limit")
    assert len(results["speedups"]) == 1 and results["failures"] == []
    assert results["incomplete"][0].startswith("torch-suite-mlp: stopped: at the check's limit")


def test_at_the_seed_sizes_a_part_predicted_past_the_limit_is_not_started(gpu_check, monkeypatch, tmp_path):
    plan = parts(gpu_check, ("jax", "suite", "mlp", 1), ("jax", "accuracy", "conv", 900), ("jax", "accuracy", "mlp", 1))
    fake_commands(monkeypatch, gpu_check, {"jax-suite-mlp": ([speedup_result("mlp", "mixed_float16", 2.0)], 0, 0),
                                           "jax-accuracy-mlp": ([{"extra_info": {
                                               "workload": "mlp", "policy": "mixed_float16", "seeds": [0, 1, 2],
                                               "accuracy_delta": 0.001, "accuracy_delta_low": -0.002,
                                               "accuracy_tol": 0.01, "gate": "pass"}}], 0, 0)})
    said = []
    assert gpu_check.check(plan, "seed", tmp_path, 0.1, 480, 3, say=said.append) == 3
    assert "predicted on an H200" in said[1]
    results = json.loads((tmp_path / "gpu-check.json").read_text())
    assert [r["status"] for r in results["runs"]] == ["done", "not started", "done"]
    assert results["runs"][1]["reason"].startswith("predicted 900 s, ")
    assert len(results["accuracy"]) == 1


SIGTERMED = """
import sys
sys.path.insert(0, {studies!r})
import gpu_check
from gpu_check_plan import Part
gpu_check.command = lambda part, profile, out, seeds: [sys.executable, "-c", "import time; time.sleep(60)"]
plan = [Part("jax", "suite", ("mlp",), 1), Part("torch", "suite", ("mlp",), 1)]
sys.exit(gpu_check.check(plan, "tiny", __import__("pathlib").Path({out!r}), 0.1, 0, 3))
"""


def test_sigterm_stops_the_running_part_and_writes_the_table(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", SIGTERMED.format(studies=str(STUDIES), out=str(tmp_path))],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "jax-suite-mlp: started" in line:
            break
    time.sleep(1)
    os.kill(proc.pid, signal.SIGTERM)
    rest = proc.communicate(timeout=30)[0]
    assert proc.returncode == 3, rest
    assert "SIGTERM: the check stops here" in rest
    run = json.loads((tmp_path / "jax-suite-mlp-run.json").read_text())
    assert (run["status"], run["reason"]) == ("stopped", "SIGTERM")
    later = json.loads((tmp_path / "torch-suite-mlp-run.json").read_text())
    assert (later["status"], later["reason"]) == ("not started", "SIGTERM")
    assert (tmp_path / "gpu-check.md").is_file()


@pytest.mark.parametrize("args, needle", [
    (["--profile", "huge"], "--profile: unknown size 'huge'"),
    (["--backends", "tensorflow"], "--backends: 'tensorflow'"),
    (["--parts", "suite,speed"], "--parts: 'suite,speed'"),
    (["--workloads", "resnet"], "--workloads: 'resnet'"),
    (["--policies", "float8"], "--policies: 'float8'"),
    (["--accuracy-seeds", "1"], "--accuracy-seeds: 1; expected at least 2"),
    (["--limit", "-5"], "--limit: -5.0; expected 0 (no limit) or more seconds"),
    (["--report", "--out", "/nonexistent/gpu-check"], "is not a folder a check wrote"),
])
def test_bad_arguments_get_one_line_and_exit_2(args, needle):
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert needle in proc.stderr.strip().splitlines()[-1]


def test_each_part_runs_the_chosen_policies_with_float32_first(gpu_check):
    from gpu_check_plan import plan

    parts = plan(("torch",), ("mlp",), 3, ("mlp",), ("mlp",), ("float32", "mixed_bfloat16"))
    for part in parts:
        cmd = gpu_check.command(part, "tiny", Path("/out"), 3)
        assert any(a in ("--mp-policies=float32,mixed_bfloat16", "--policies=float32,mixed_bfloat16") for a in cmd), cmd


def test_the_budget_is_printed_without_running_anything(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--budget", "--out", str(tmp_path / "never")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and not (tmp_path / "never").exists()
    lines = proc.stdout.splitlines()
    assert lines[0].strip().startswith("jax-suite-mlp") and lines[-2].strip().startswith("torch-compiled-mlp")
    assert lines[-1].strip().startswith("the whole check: ~")
