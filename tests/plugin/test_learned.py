"""The accuracy gate needs float32 to have learned: a workload whose labels are independent of its inputs stays at
chance, both policies agree, and the gate fails saying the float32 fit did not learn (a real session, real fits)."""

import shutil
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)
SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "test_accuracy.py"
NOISE = Path(__file__).resolve().parents[1] / "fixtures" / "workloads" / "unlearnable.py"


@pytest.mark.fit
def test_a_workload_that_cannot_learn_fails_the_accuracy_gate_saying_so(pytester):
    shutil.copy(NOISE, pytester.path / "unlearnable.py")
    shutil.copy(SUITE, pytester.path / "test_accuracy.py")
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "-p", "no:cacheprovider", "-v",
                                           "--mp-workload", "unlearnable:Noise", "--mp-profile", "small",
                                           "--mp-policies", "float32,mixed_bfloat16", "--mp-accuracy-seeds", "2",
                                           "--mp-memory", "off", "-k", "test_accuracy and not seed_recipe")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "FAIL test_accuracy[noise-small-jit_auto-fp32_default-mixed_bfloat16]: mixed_bfloat16: the float32 fit " \
           "did not learn" in out
    assert "is under chance 0." in out and "plus 5 x the tolerance 0.01" in out and "more epochs" in out
