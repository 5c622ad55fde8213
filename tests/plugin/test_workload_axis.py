"""Workloads as an axis: two in one session, each test under its own workload's context and id, and a user's
workload named by package.module:factory from the working directory."""

import shutil
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)
EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "workloads" / "my_workload.py"

AXIS = """
def test_w(mp_run, mp_workload, policy):
    assert mp_run.profile.workload.name == mp_workload
    assert mp_run.data.source == ("blobs-v1" if mp_workload == "blobs" else "synthetic-v1")
"""


@pytest.mark.session
def test_two_workloads_in_one_session_keep_their_own_context_and_ids(pytester):
    shutil.copy(EXAMPLE, pytester.path / "my_workload.py")
    pytester.makepyfile(test_axis=AXIS)
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "-p", "no:cacheprovider", "-v",
                                           "--mp-workload", "mlp,my_workload:Blobs", "--mp-profile", "tiny",
                                           "--mp-policies", "float32,mixed_bfloat16", "--mp-data", "synthetic")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines_random([
        "*test_w?tiny-float32? PASSED*", "*test_w?tiny-mixed_bfloat16? PASSED*",
        "*test_w?blobs-tiny-float32? PASSED*", "*test_w?blobs-tiny-mixed_bfloat16? PASSED*",
        "mpmodel: workload=mlp,blobs profile=tiny*",
        "mpmodel workload: mlp v1 *", "mpmodel workload: blobs v1 (*) from my_workload:Blobs",
    ])


BUILT_INS = """
def test_w(mp_run, mp_workload, policy):
    assert mp_run.profile.workload.name == mp_workload
"""


@pytest.mark.session
def test_auto_runs_the_mlp_alone_on_a_cpu_and_all_names_every_built_in(pytester):
    pytester.makepyfile(test_axis=BUILT_INS)
    common = ("-p", "mpmodel.plugin", "-p", "no:cacheprovider", "--mp-profile", "tiny",
              "--mp-policies", "float32", "--mp-data", "synthetic", "--collect-only")
    auto = pytester.runpytest_subprocess(*common)
    assert "<Function test_w[tiny-float32]>" in auto.stdout.str() and "conv-tiny" not in auto.stdout.str()
    auto.stdout.fnmatch_lines(["*1 test collected*"])
    every = pytester.runpytest_subprocess(*common, "--mp-workload", "all")
    every.stdout.fnmatch_lines_random(["*test_w?tiny-float32?>", "*test_w?conv-tiny-float32?>",
                                       "*test_w?transformer-tiny-float32?>", "*3 tests collected*"])
