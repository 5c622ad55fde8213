"""The step probe's child: events read as they come, a step past its limit stopped and the rest probed in a fresh
child. The child here is a small script that plays a probe's events, so the limits are tested in seconds; the
real child (mpmodel.core.step_probe) runs in test_crawling.py."""

import json
import sys

import pytest

from mpmodel.measure.probe import ProbedStep
from mpmodel.plugin import step_child

PLAYER = """
import json, sys, time
plan = json.loads(sys.argv[1])
for policy in sys.argv[2:]:
    print(json.dumps({"policy": policy, "event": "start"}), flush=True)
    for index, seconds in enumerate(plan[policy]):
        if seconds == "raise":
            print(json.dumps({"policy": policy, "event": "error", "message": "ValueError: no kernel"}), flush=True)
            break
        if seconds < 0:
            sys.exit(3)
        time.sleep(seconds)
        print(json.dumps({"policy": policy, "event": "step", "index": index, "seconds": seconds}), flush=True)
    else:
        if policy in plan.get("rounds", {}):
            steps, seconds = plan["rounds"][policy]
            print(json.dumps({"policy": policy, "event": "round", "steps": steps, "seconds": seconds}), flush=True)
"""


def player(plan, started):
    def command(policies, profile, jit, fp32, steps, remapping):
        started.append(list(policies))
        return [sys.executable, "-c", PLAYER, json.dumps(plan), *policies]
    return command


@pytest.fixture
def short_limits(monkeypatch):
    monkeypatch.setattr(step_child, "first_step_limit", lambda base: 1.0)
    monkeypatch.setattr(step_child, "step_limit", lambda base: 1.0)


def test_each_policy_is_probed_in_order_in_one_child(short_limits):
    started = []
    plan = {"float32": [0.01, 0.01, 0.02, 0.01], "mixed_bfloat16": [0.01, 0.005, 0.005, 0.005]}
    found = step_child.probe_in_child(["float32", "mixed_bfloat16"], "tiny", "auto", "default",
                                      command=player(plan, started))
    assert started == [["float32", "mixed_bfloat16"]]
    assert found["float32"] == ProbedStep("float32", 0.01, (0.01, 0.02, 0.01))
    assert found["mixed_bfloat16"].step_s == pytest.approx(0.005)


def test_a_step_past_its_limit_is_stopped_and_the_rest_probed_in_a_fresh_child(short_limits):
    started = []
    plan = {"float32": [0.01, 0.01, 0.01, 0.01], "mixed_float16": [60.0], "mixed_bfloat16": [0.01, 0.01, 0.01, 0.01]}
    found = step_child.probe_in_child(["float32", "mixed_float16", "mixed_bfloat16"], "tiny", "auto", "default",
                                      command=player(plan, started))
    assert started == [["float32", "mixed_float16", "mixed_bfloat16"], ["mixed_bfloat16"]]
    assert found["mixed_float16"] == ProbedStep("mixed_float16", None, (), stopped_after_s=1.0)
    assert not found["mixed_bfloat16"].stopped


def test_a_later_step_past_its_limit_keeps_what_was_measured(short_limits):
    plan = {"float32": [0.01, 0.01, 0.01, 0.01], "mixed_float16": [0.02, 0.01, 60.0]}
    found = step_child.probe_in_child(["float32", "mixed_float16"], "tiny", "auto", "default", command=player(plan, []))
    assert found["mixed_float16"] == ProbedStep("mixed_float16", 0.02, (0.01,), stopped_after_s=1.0)


def test_a_child_that_dies_inside_a_policy_reports_it_and_the_rest_go_on(short_limits):
    plan = {"float32": [0.01, 0.01, 0.01, 0.01], "mixed_float16": [0.01, -1], "mixed_bfloat16": [0.01, 0.01, 0.01, 0.01]}
    found = step_child.probe_in_child(["float32", "mixed_float16", "mixed_bfloat16"], "tiny", "auto", "default",
                                      command=player(plan, []))
    assert found["mixed_float16"].error.startswith("the probe child exited 3")
    assert found["mixed_bfloat16"].step_s == pytest.approx(0.01)


def test_a_step_that_raises_is_reported_in_its_line_and_the_same_child_goes_on(short_limits):
    started = []
    plan = {"float32": [0.01, 0.01, 0.01, 0.01], "mixed_float16": [0.01, "raise"], "mixed_bfloat16": [0.01] * 4}
    found = step_child.probe_in_child(["float32", "mixed_float16", "mixed_bfloat16"], "tiny", "auto", "default",
                                      command=player(plan, started))
    assert started == [["float32", "mixed_float16", "mixed_bfloat16"]]
    assert found["mixed_float16"].error == "ValueError: no kernel" and found["mixed_float16"].step_s is None
    assert found["mixed_bfloat16"].step_s == pytest.approx(0.01)


def test_a_round_after_the_last_step_is_read_into_that_policys_result(short_limits):
    plan = {"float32": [0.01, 0.002, 0.002, 0.002], "mixed_bfloat16": [0.01, 0.002, 0.002, 0.002],
            "rounds": {"float32": [50, 0.025]}}
    found = step_child.probe_in_child(["float32", "mixed_bfloat16"], "tiny", "auto", "default", command=player(plan, []))
    assert (found["float32"].round_steps, found["float32"].round_s) == (50, 0.025)
    assert found["float32"].loop_step_s == pytest.approx(0.0005) and found["float32"].step_s == pytest.approx(0.002)
    assert found["mixed_bfloat16"].round_s is None and found["mixed_bfloat16"].loop_step_s == pytest.approx(0.002)


def test_a_child_that_never_begins_fails_every_policy_once(short_limits):
    def broken(policies, *args):
        return [sys.executable, "-c", "raise SystemExit(1)"]
    found = step_child.probe_in_child(["float32", "mixed_float16"], "tiny", "auto", "default", command=broken)
    assert {p.error for p in found.values()} == {"the probe child ended before it began"}


def test_the_command_runs_the_probe_module():
    cmd = step_child.child_command(["float32"], "small", "auto", "default", 3, remapping=False)
    assert cmd[1:3] == ["-m", "mpmodel.core.step_probe"] and "--no-remapping" in cmd and cmd[-1] == "float32"


def test_children_beside_the_session_on_a_gpu_allocate_on_demand_unless_the_user_says_otherwise(monkeypatch):
    monkeypatch.delenv("XLA_PYTHON_CLIENT_PREALLOCATE", raising=False)
    assert step_child.child_environment()["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "true")
    assert step_child.child_environment()["XLA_PYTHON_CLIENT_PREALLOCATE"] == "true"
