"""A mixed policy whose matmuls crawl (PyTorch bf16 on a CPU without AVX-512: 0.8 against 120 GFLOP/s) is
not timed or fitted by default: run for real through pytest on the suite's own benchmarks, with the speed
of light faked to the figures measured on such a CPU."""

from pathlib import Path

pytest_plugins = ("pytester",)

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

AVX2_SPEEDS = """
from mpmodel.core.profiles import flops_per_step
from mpmodel.measure.ceilings import SpeedOfLight
from mpmodel.plugin.run_context import RunContext

TFLOPS = {"float32": 0.120, "mixed_float16": 0.100, "mixed_bfloat16": 0.0008}


def measured_on_avx2(self, policy, jit_compile, fp32):
    flops = flops_per_step(self.profile)
    return SpeedOfLight(flops / TFLOPS[policy] / 1e12, flops, 1)


RunContext.speed_of_light = measured_on_avx2
"""


def run(pytester, *extra):
    """The suite's benchmarks, their conftest imported beside the faked speeds, bf16 only, tiny profile."""
    for name in ("test_step_time.py", "test_speedup.py", "test_accuracy.py"):
        (pytester.path / name).write_text((BENCHMARKS / name).read_text())
    (pytester.path / "suite_conftest.py").write_text((BENCHMARKS / "conftest.py").read_text())
    pytester.makeconftest(AVX2_SPEEDS + "\nfrom suite_conftest import speed_of_light  # noqa: E402, F401\n")
    return pytester.runpytest_subprocess(
        "-p", "mpmodel.plugin", "--mp-profile", "tiny", "--mp-policies", "float32,mixed_bfloat16", "--mp-data", "synthetic",
        "-k", "mixed_bfloat16", "-p", "no:cacheprovider", "-rsf", *extra)


def test_a_crawling_policy_is_neither_timed_nor_fitted_and_says_why(pytester):
    result = run(pytester)
    result.assert_outcomes(skipped=4)  # step time, speedup, the accuracy gate and the seed recipe's report
    out = result.stdout.str()
    assert "mpmodel will not run test_accuracy[mixed_bfloat16, float32 default] in full: mixed_bfloat16's matmuls here " \
           "reach 0.8 GFLOP/s, 0.7% of float32's 120 (under 10%)" in out
    assert "its 3 accuracy fits would take about" in out and "--mp-slow-policies runs it" in out
    assert "mpmodel will not run test_seed_recipe_accuracy[mixed_bfloat16, float32 default] in full" in out
    assert "its 1 fits of the seed's recipe would take about" in out
    assert "timing its steps would take about" in out
    assert "mpmodel predicts: about" in out


def test_where_a_speedup_is_expected_the_matmuls_alone_fail_the_gate(pytester):
    result = run(pytester, "--mp-min-speedup", "mixed_bfloat16=1.3")
    result.assert_outcomes(skipped=3, failed=1)
    out = result.stdout.str()
    assert "mixed_bfloat16's matmuls alone reach 0.00667x float32's; its steps were not timed" in out
    assert "under the expected minimum 1.3x" in out and "the speed went into the kernels" in out
    assert "FAIL test_speedup[tiny-jit_auto-fp32_default-mixed_bfloat16]" in out
