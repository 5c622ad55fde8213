"""The accuracy gate's power, end to end: the suite's own test_accuracy with the planted defect
(studies/planted_accuracy.py) fails, naming the bound, the tolerance and the mean drop that exceeds it.
Tiny profile, two seeds, so that it runs in seconds; every suite run is the control that passes, and CI
runs the plant at the real profile (docs/gates.md, "Accuracy", has the study)."""

import os
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parents[1]


def run(pytester, monkeypatch, plant: str):
    pytester.copy_example(str(ROOT / "benchmarks" / "test_accuracy.py"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "studies"), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPMODEL_PLANTED_ACCURACY", plant or "0")
    return pytester.runpytest_subprocess(
        "-p", "mpmodel.plugin", "-p", "planted_accuracy", "--mp-profile", "tiny", "--mp-policies", "float32,mixed_bfloat16",
        "--mp-data", "synthetic", "--mp-accuracy-seeds", "2", "--mp-seed-recipe-seeds", "0", "--benchmark-disable",
        "-p", "no:cacheprovider", "-rfs", "test_accuracy.py::test_accuracy")


@pytest.mark.session
def test_the_gate_fails_the_planted_defect(pytester, monkeypatch):
    result = run(pytester, monkeypatch, "6")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "2 paired seeds, recipe decay" in out
    assert "first logit shifted by 6 after training (planted)" in out
    assert "the bound lies below -0.01, so the drop may exceed the tolerance 0.01" in out
    assert "the mean drop alone" in out
