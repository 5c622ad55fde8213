"""The end-of-run summary in a real session: its rows are the run's saved results (a pytest session of gates that
conclude with set figures, saved by pytest-benchmark), in the terminal, in GITHUB_STEP_SUMMARY and --mp-summary."""

import json
import sys
from pathlib import Path

import pytest

from mpmodel.plugin.header import SCREEN

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "studies"))
import first_run_check as check  # noqa: E402 (the check CI holds the default run to)

pytest_plugins = ("pytester",)

GATES = '''
from mpmodel.measure.gates import Verdict

FIGURES = {"mixed_float16": (0.92, 0.90, 0.95, None), "mixed_bfloat16": (1.41, 1.38, 1.44, 1.3)}
WHY = "no speedup expected on this test's device: a row of its own"


def test_speedup(benchmark, mp_run, mixed_policy):
    value, low, high, floor = FIGURES[mixed_policy]
    benchmark.pedantic(sum, args=(range(10),), rounds=3)
    benchmark.extra_info.update({**mp_run.facts(mp_run.key(mixed_policy, "auto", "default")), "speedup": value,
                                 "speedup_ci_low": low, "speedup_ci_high": high, "min_speedup": floor,
                                 "speedup_ceiling": 1.9})
    verdict = Verdict(True, floor is not None, f"{mixed_policy} {value}x, the whole message", "" if floor else WHY)
    mp_run.conclude(benchmark, verdict)


def test_accuracy(benchmark, mp_run, mixed_policy):
    benchmark.pedantic(sum, args=(range(10),), rounds=3)
    low = -0.0256 if mixed_policy == "mixed_bfloat16" else 0.0
    benchmark.extra_info.update({**mp_run.facts(mp_run.key(mixed_policy, "auto", "default")),
                                 "accuracy_delta": low, "accuracy_delta_low": low, "accuracy_tol": 0.01})
    mp_run.conclude(benchmark, Verdict(low >= -0.01, True, f"{mixed_policy} bound {low}", "the drop may exceed it"))
'''


@pytest.mark.session
def test_the_summary_rows_are_the_runs_saved_results(pytester, tmp_path):
    pytester.makepyfile(GATES)
    step_summary, other = tmp_path / "step.md", tmp_path / "other.md"
    pytester._monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    result = pytester.runpytest_subprocess("--mp-data", "synthetic", "--mp-policies", "float32,mixed_float16,mixed_bfloat16",
                                           "--benchmark-autosave", "--mp-summary", str(other), "-p", "no:cacheprovider")
    assert result.ret == 1  # bf16's accuracy gate failed
    out = result.stdout.str()
    table = out.split("mpmodel summary")[1].splitlines()[1:]
    (saved,) = (pytester.path / ".benchmarks").rglob("*.json")
    extra = {b["name"]: b["extra_info"] for b in json.loads(saved.read_text())["benchmarks"]}
    speed = next(v for k, v in extra.items() if k.startswith("test_speedup[") and "mixed_bfloat16" in k)
    bf16 = next(line for line in table if "mixed_bfloat16" in line)
    assert f"{speed['speedup']:.3f}x [{speed['speedup_ci_low']:.3f}, {speed['speedup_ci_high']:.3f}] (>= 1.3x)" in bf16
    acc = next(v for k, v in extra.items() if k.startswith("test_accuracy[") and "mixed_bfloat16" in k)
    assert f"{acc['accuracy_delta_low']:+.4f} (>= -0.01)" in bf16 and " FAIL " in bf16
    fp16 = next(line for line in table if "mixed_float16" in line)
    assert "pass" in fp16 and "no speedup expected [1]" in fp16
    assert "[1] no speedup expected on this test's device: a row of its own" in table
    assert "[2] the drop may exceed it" in table
    wide = [line for line in check.outside_benchmark_tables(out.splitlines()) if len(line) > SCREEN]
    assert wide == [], "a line over 200 characters at default verbosity"
    assert " mpmodel gates " not in out  # every gate's whole message: under -v, and in the saved result
    for path in (step_summary, other):
        text = path.read_text()
        assert "| mlp | mixed_bfloat16 | 1.410x [1.380, 1.440] (>= 1.3x) | 1.900x | -0.0256 (>= -0.01) | - | **FAIL** |" \
            in text, text
        assert "mixed_float16 0.92x, the whole message" in text  # every full message, folded
