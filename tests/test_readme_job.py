"""The README's GPU CI job is a tested artefact (tests/readme_job.py): its `run:` steps run as written, twice, in a
fresh project outside this repository with mpmodel from a freshly built wheel, green both times, the second
comparing with the first; the CPU stand-ins are exactly the ones the README names; its stated time is the cost
model's."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from readme_job import README, SECTION, StandIn, apply_stand_ins, readme_job, run_twice, stand_ins

ROOT = Path(__file__).resolve().parent.parent


def section() -> str:
    text = README.read_text(encoding="utf-8")
    return " ".join(text[text.index(SECTION):].split("\n## ")[0].replace("`", "").split())  # as read, not as wrapped


def test_the_job_installs_the_package_and_runs_the_shipped_suite():
    runs = " ".join(s["run"] for s in readme_job()["steps"] if "run" in s)
    assert "$MPMODEL" in runs and "--pyargs mpmodel.suite" in runs
    assert not re.search(r"\s-e\s", runs) and not re.search(r"(?<![.\w])benchmarks/", runs)  # no checkout of mpmodel
    assert "compare baseline latest" in runs and "--no-baseline-ok" in runs
    assert readme_job()["timeout-minutes"] > 0


def test_every_stand_in_changes_the_job_and_is_named_beside_it(tmp_path):
    ins = stand_ins(tmp_path / "mpmodel-0.7.0-py3-none-any.whl")
    steps, env = apply_stand_ins(readme_job(), ins)
    text = section()
    for stand_in in ins:
        assert stand_in.why.split(" (")[0] in text, stand_in.why
    assert "an MNIST-format cache in KERAS_HOME" in text  # the one stand-in outside the steps: the data's cache
    assert env["MPMODEL"].startswith("mpmodel[gpu,plot] @ file://")
    assert not any("--mp-require-gpu" in s.run or "and-cuda" in s.run for s in steps)


def test_a_stand_in_that_finds_nothing_fails_so_the_test_follows_the_readme():
    with pytest.raises(ValueError, match="no run step holds '--mp-nothing'"):
        apply_stand_ins(readme_job(), [StandIn("gone", "--mp-nothing", "")])


def test_the_readme_states_the_cost_models_time_and_a_timeout_above_it():
    out = subprocess.run([sys.executable, str(ROOT / "studies" / "ci_job_cost.py"), "--json"], check=True,
                         capture_output=True, text=True).stdout
    cost = json.loads(out)
    text = section()
    total = cost["total_s"] / 60
    assert f"about {total:.1f} min" in text and f"predicted at {total:.0f} min" in text
    for workload, parts in cost["workloads"].items():
        name = {"mlp": "the MLP", "conv": "the convnet", "transformer": "the transformer"}[workload]
        assert f"{name} {sum(parts.values()) / 60:.1f}" in text
    assert readme_job()["timeout-minutes"] >= total * 1.5 + 5  # the pytest step with room, plus the install


@pytest.mark.session
def test_the_job_runs_twice_in_a_fresh_project_green_and_the_second_compares(tmp_path):
    first, second = run_twice(tmp_path, say=print)  # a line a step, shown where pytest runs with -s (.ci/run does)
    for n, run in ((1, first), (2, second)):
        assert run.green, (n, [(s.run, s.rc, s.output[-2000:]) for s in run.steps if s.rc != 0])
    pytest_out = first.output_of("mpmodel.suite")
    data = [line for line in pytest_out.splitlines() if line.startswith("mpmodel data:")]
    assert len(data) == 3, data  # every workload, each with the data it can use
    assert "mnist.npz (60000 train / 10000 test)" in data[0]  # mlp=mnist: the cache, as real MNIST would be read
    assert "synthetic-images-v1" in data[1] and "fallback: no CIFAR-10 at" in data[1]  # the convnet's own: no CIFAR here
    assert "synthetic-sequences-v1" in data[2]
    assert "no baseline:" in first.output_of("compare") and "(this run is the baseline)" in first.output_of("compare")
    compared = second.output_of("compare")
    assert "no baseline" not in compared and re.search(r"\b0001\b", compared), compared
    assert "### mpmodel gates" in first.summary and "no baseline" in first.summary
    assert "### mpmodel gates" in second.summary and "### mpmodel compare: " in second.summary
    saved = sorted((tmp_path / "project" / ".benchmarks").rglob("*.json"))
    assert len(saved) == 2 and json.loads(saved[-1].read_text())["commit_info"]["branch"] == "main"
