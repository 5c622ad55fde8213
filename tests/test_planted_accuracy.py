"""The accuracy gate's power, end to end: the suite's own test_accuracy with the planted defect
(studies/planted_accuracy.py) fails, naming the bound and the tolerance; the same session without the
plant passes. Tiny profile, two seeds, so that it runs in seconds; README, "Accuracy", has the study."""

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


@pytest.mark.parametrize("plant,outcome", [("", "passed"), ("6", "failed")])
def test_the_gate_fails_the_planted_defect_and_passes_without_it(pytester, monkeypatch, plant, outcome):
    result = run(pytester, monkeypatch, plant)
    result.assert_outcomes(**{outcome: 1})
    out = result.stdout.str()
    assert "2 paired seeds, recipe decay" in out
    if plant:
        assert "first logit shifted by 6 after training (planted)" in out
        assert "the bound lies below -0.01, so the drop may exceed the tolerance 0.01" in out
        assert "the mean drop alone" in out
