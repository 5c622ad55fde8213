"""A user's convnet with no step_kernels: the header says its kernels are partial, and the speedup gate decides from
the expectations table where a row holds, never from a ceiling that counts only the Dense head (a real session)."""

import shutil
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
CONV = Path(__file__).resolve().parents[1] / "fixtures" / "workloads" / "conv_user.py"


@pytest.mark.session
def test_a_partial_ceiling_never_says_no_speedup_expected(pytester):
    shutil.copy(CONV, pytester.path / "conv_user.py")
    for name in ("test_speedup.py", "conftest.py"):
        shutil.copy(BENCHMARKS / name, pytester.path / name)
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "-p", "no:cacheprovider", "-v",
                                           "--mp-workload", "conv_user:SmallConv", "--mp-profile", "small",
                                           "--mp-policies", "float32,mixed_bfloat16", "--mp-memory", "off")
    out = result.stdout.str()
    assert "these layers' work is not counted: conv2d" in out and "(SeparableConv2D)" in out
    (line,) = [ln for ln in out.splitlines() if ln.startswith(("pass test_speedup", "skip test_speedup", "FAIL test_speedup"))]
    # the table's own row decides where one holds for any workload (bf16 without AVX512_BF16, a crawl); else nothing does
    assert "not gated: the ceiling" in line or "the expectations table's prior" in line, line
    assert "reach only" not in line and "the gate asks for" not in line, line  # nothing decided from the partial ceiling
