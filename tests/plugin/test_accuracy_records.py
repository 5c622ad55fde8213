"""benchmarks/test_accuracy.py records the TF32 state its fits ran under, not the one restored after.

The float32 variant's block switches TF32 off for `strict`; the result must say so. Run for real
through pytest with the fits and the device faked: TF32 reads as on outside the variant's block
and off inside it, as on an Ampere GPU with TensorFlow's default.
"""

import json
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "test_accuracy.py"

FAKE_GPU = """
import contextlib, json
import mpmodel.core.training as training
from mpmodel.core.training import FitResult
from mpmodel.plugin.run_context import RunContext

STRICT = []
training.fit_recipe = lambda model, data, profile, order_seed, progress=None, recipe=None: FitResult(0.9, 0.3, [.5], [.4], [None])

@contextlib.contextmanager
def fake_matmuls(self, variant):
    STRICT.append(variant == "strict")
    try:
        yield
    finally:
        STRICT.pop()

RunContext.fp32_variants = property(lambda self: ("default", "strict"))
RunContext.float32_matmuls = fake_matmuls
RunContext.tf32 = lambda self: not (STRICT and STRICT[-1])
"""


@pytest.mark.session
def test_strict_accuracy_results_record_tf32_off(pytester):
    pytester.makeconftest(FAKE_GPU)
    pytester.copy_example(str(SUITE))
    # in a subprocess: TensorFlow set up in this process by the fits aborts a later in-process download test
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "--mp-policies", "float32,mixed_bfloat16",
                                           "--mp-profile", "tiny", "--mp-data", "synthetic", "--benchmark-json", "out.json",
                                           "-p", "no:cacheprovider", "test_accuracy.py")
    result.assert_outcomes(passed=4)  # the gate and the seed recipe's report, per float32 variant

    saved = json.loads((pytester.path / "out.json").read_text())["benchmarks"]
    records = {(b["name"].split("[")[0], b["params"]["fp32"]): b["extra_info"]["tf32"] for b in saved}
    assert records == {("test_accuracy", "default"): True, ("test_accuracy", "strict"): False,
                       ("test_seed_recipe_accuracy", "default"): True, ("test_seed_recipe_accuracy", "strict"): False}
    assert {b["extra_info"]["recipe"] for b in saved} == {"decay", "seed"}
