"""The GPU check's table, built from the files a real run left (an H200, studies/results/h200-2026-11-28),
and what makes it fail: a suite that failed or left nothing, and a suite/device gap beyond --agree."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "studies" / "gpu_check.py"
H200 = ROOT / "studies" / "results" / "h200-2026-11-28"


@pytest.fixture(scope="module")
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_h200_run_assembles_into_one_table(gpu_check, tmp_path):
    out = shutil.copytree(H200, tmp_path / "h200")
    results = gpu_check.assemble(out, ["torch", "jax"], agree=0.10)
    assert results["failures"] == []
    assert results["profile"] == "seed"
    assert results["context"]["jax"]["GPU"] == "NVIDIA H200"
    steps = {(r["backend"], r["policy"], r["fp32"]): r for r in results["steps"]}
    assert len(steps) == 9  # PyTorch: 3 policies x 2 float32 variants; JAX: 3 x default
    jax_bf16 = steps[("jax", "mixed_bfloat16", "default")]
    assert jax_bf16["datasheet"] == "H200 SXM" and jax_bf16["datasheet_tflops"] == 989.4
    assert jax_bf16["of_datasheet"] == pytest.approx(jax_bf16["matmul_tflops"] / 989.4)
    torch_f32 = steps[("torch", "float32", "default")]
    assert torch_f32["tf32"] is False and torch_f32["datasheet_tflops"] == 67.0  # PyTorch leaves TF32 off
    assert torch_f32["suite_vs_device"] == pytest.approx(0.0, abs=0.01)  # host clock and CUDA events agree
    assert steps[("torch", "float32", "strict")]["cross_device_s"] is None  # cross-checked for `default` only
    assert {(r["backend"], r["policy"], r["verdict"]) for r in results["speedups"]} >= {
        ("jax", "mixed_bfloat16", "pass"), ("torch", "mixed_float16", "pass")}
    table = gpu_check.markdown(results)
    assert "| jax | mixed_bfloat16 | default | True | 1.665 |" in table
    assert "H200 SXM 989.4" in table


def test_a_gap_beyond_agree_fails_with_both_numbers(gpu_check, tmp_path):
    out = shutil.copytree(H200, tmp_path / "h200")
    rows = json.loads((out / "jax-cross-check.json").read_text())
    rows[0]["device_step_s"] = rows[0]["suite_step_s"] / 1.5  # the device needs a third less than the suite says
    (out / "jax-cross-check.json").write_text(json.dumps(rows))
    failures = gpu_check.assemble(out, ["jax"], agree=0.10)["failures"]
    assert len(failures) == 1
    assert "jax float32" in failures[0] and "+50.0%" in failures[0] and "10%" in failures[0]


def test_a_failed_or_missing_suite_run_fails_the_check(gpu_check, tmp_path):
    out = shutil.copytree(H200, tmp_path / "h200")
    (out / "torch-run.json").write_text(json.dumps({"rc": 1, "seconds": 9.0, "how": "pytest"}))
    (out / "jax.json").unlink()
    (out / "jax-cross-check.json").unlink()
    results = gpu_check.assemble(out, ["torch", "jax"], agree=0.10)
    assert results["failures"][0].startswith("torch: the suite exited 1")
    assert any(f.startswith("jax: the suite exited 0 with 0 results") for f in results["failures"])
    assert any(f.startswith("jax: the cross-check wrote no rows") for f in results["failures"])
    assert gpu_check.write_table(results, out) == 1
    assert (out / "gpu-check.md").is_file()


def accuracy_result(policy, deltas, low, gate):
    return {"name": f"test_accuracy[seed-jit_auto-fp32_default-{policy}]", "extra_info": {
        "policy": policy, "fp32": "default", "seeds": list(range(len(deltas))), "accuracy_delta": sum(deltas) / len(deltas),
        "accuracy_delta_sd": 0.001, "accuracy_delta_low": low, "accuracy_tol": 0.01, "float32_test_accuracy": 0.9087,
        "gate": gate}}


def test_with_accuracy_the_gate_gets_its_own_table_and_a_failed_gate_fails_the_check(gpu_check, tmp_path):
    # made-up accuracy files beside the real H200 run: the table's shape and the failure, not a measurement
    out = shutil.copytree(H200, tmp_path / "h200")
    (out / "jax-accuracy.json").write_text(json.dumps({"benchmarks": [
        accuracy_result("mixed_bfloat16", [0.0, 0.001, -0.001, 0.0, 0.0], -0.0009, "pass")]}))
    (out / "jax-accuracy-run.json").write_text(json.dumps({"rc": 0, "seconds": 71.0, "how": "pytest"}))
    results = gpu_check.assemble(out, ["torch", "jax"], agree=0.10)
    assert results["failures"] == [] and len(results["accuracy"]) == 1
    assert "| jax | mixed_bfloat16 | default | 5 | 0.9087 | +0.0000 | 0.0010 | -0.0009 | 0.01 | pass | 71 |" in \
        gpu_check.markdown(results)
    (out / "jax-accuracy-run.json").write_text(json.dumps({"rc": 1, "seconds": 70.0, "how": "pytest"}))
    failures = gpu_check.assemble(out, ["torch", "jax"], agree=0.10)["failures"]
    assert failures == [f"jax: the accuracy gate exited 1 with 1 results (see {out / 'jax-accuracy.log'})"]
    assert "accuracy" not in gpu_check.assemble(shutil.copytree(H200, tmp_path / "plain"), ["jax"], 0.10)


@pytest.mark.parametrize("args, needle", [
    (["--profile", "huge"], "--profile: unknown profile 'huge'"),
    (["--backends", "tensorflow"], "--backends: 'tensorflow'"),
    (["--report", "--out", "/nonexistent/gpu-check"], "is not a folder a check wrote"),
])
def test_bad_arguments_get_one_line_and_exit_2(args, needle):
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert needle in proc.stderr.strip().splitlines()[-1]
