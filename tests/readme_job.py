"""The README's GPU CI job, run as a team would run it: its YAML read from README.md, its `run:` steps executed
as written (GitHub Actions' shell, `bash -e`), in a fresh git project outside this repository, with mpmodel
installed from a freshly built wheel, twice: the first run has no baseline, the second compares with the first.

The only changes are the CPU stand-ins for the GPU, each named in the README beside the job (`stand_ins`): the
install source, the CPU build of TensorFlow, no --mp-require-gpu, the tiny sizes of every workload, and an
MNIST-format cache in KERAS_HOME. `actions/checkout` and `actions/cache` are what the runner does between
jobs: the project cleaned to its commit (`git clean -ffdx`), `.benchmarks` kept.

    python tests/readme_job.py [--wheel PATH] [--work DIR]   # both runs; one line a step; exit 1 on a failure

tests/test_readme_job.py runs it and reads what it returns.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from mnist_files import write_npz

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SECTION = "## Gating a GPU CI job"
JOB = "mixed-precision"
CACHED = ".benchmarks"  # the path actions/cache keeps between jobs
STEP_TIMEOUT_S = 1800
# What the runner's environment holds that this machine's must not leak into the project's steps.
DROPPED_ENV = ("VIRTUAL_ENV", "PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_PLUGINS", "KERAS_BACKEND",
               "MPMODEL_HISTORY", "MPMODEL_OFFLINE", "KERAS_HOME", "GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF",
               "GITHUB_HEAD_REF", "PIP_REQUIRE_VIRTUALENV")


@dataclass(frozen=True)
class StandIn:
    """One change for the CPU: `old` replaced by `new` in the job's run steps (or, with `env`, the job's
    environment variable `env` set to `new`); `why` as the README says it."""

    why: str
    old: str = ""
    new: str = ""
    env: str = ""


def stand_ins(wheel: Path) -> list[StandIn]:
    return [
        StandIn("MPMODEL the wheel (not yet on a package index)", env="MPMODEL", new=f"mpmodel[gpu,plot] @ {wheel.as_uri()}"),
        StandIn("tensorflow for tensorflow[and-cuda]", "'tensorflow[and-cuda]'", "tensorflow"),
        StandIn("no --mp-require-gpu", " --mp-require-gpu", ""),
        StandIn("--mp-profile tiny --mp-workload all --mp-policies float32,mixed_bfloat16 --mp-accuracy-seeds 2 added "
                "(float16 crawls on a CPU; tiny's accuracy gate never fails on its bound, so 2 seeds, the fewest for one)",
                " --benchmark-autosave",
                " --mp-profile tiny --mp-workload all --mp-policies float32,mixed_bfloat16 --mp-accuracy-seeds 2"
                " --benchmark-autosave"),
    ]


@dataclass
class Step:
    run: str
    always: bool = False  # `if: always()`: runs after an earlier step failed


@dataclass
class StepResult:
    run: str
    rc: int | None  # None: not run (an earlier step failed)
    seconds: float = 0.0
    output: str = ""


@dataclass
class JobRun:
    steps: list[StepResult] = field(default_factory=list)
    summary: str = ""  # what the steps wrote to GITHUB_STEP_SUMMARY
    seconds: float = 0.0

    @property
    def green(self) -> bool:
        return all(s.rc == 0 for s in self.steps)

    def output_of(self, command: str) -> str:
        return next(s.output for s in self.steps if command in s.run)


def readme_workflow(text: str | None = None) -> str:
    """The workflow file as the README shows it: the first ```yaml block of its CI section."""
    text = README.read_text(encoding="utf-8") if text is None else text
    block = re.search(r"```yaml\n(.*?)```", text[text.index(SECTION):], re.S)
    if block is None:
        raise ValueError(f"README.md: no ```yaml block under {SECTION!r}")
    return block.group(1)


def readme_job(text: str | None = None) -> dict:
    """The job, parsed from the README's workflow."""
    return yaml.safe_load(readme_workflow(text))["jobs"][JOB]


def job_steps(job: dict) -> list[Step]:
    """The job's `run:` steps in order; `uses:` steps are the runner's (checkout, cache), stood in for here."""
    return [Step(s["run"], always=str(s.get("if", "")).strip() == "always()") for s in job["steps"] if "run" in s]


def apply_stand_ins(job: dict, ins: list[StandIn]) -> tuple[list[Step], dict[str, str]]:
    """The run steps and the job's environment with every stand-in applied; ValueError where one finds nothing to
    change (the README's job changed: the stand-ins must follow it)."""
    steps, env = job_steps(job), {k: str(v) for k, v in (job.get("env") or {}).items()}
    for stand_in in ins:
        if stand_in.env:
            if stand_in.env not in env:
                raise ValueError(f"stand-in {stand_in.why!r}: the job sets no {stand_in.env}")
            env[stand_in.env] = stand_in.new
            continue
        hits = [s for s in steps if stand_in.old in s.run]
        if not hits:
            raise ValueError(f"stand-in {stand_in.why!r}: no run step holds {stand_in.old!r}")
        for s in hits:
            s.run = s.run.replace(stand_in.old, stand_in.new)
    return steps, env


def build_wheel(out: Path) -> Path:
    """A wheel of this checkout, built as a package index would get it (`python -m build`, isolated)."""
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return next(out.glob("mpmodel-*.whl"))


def write_mnist_cache(keras_home: Path, n_train: int = 60000, n_test: int = 10000) -> Path:
    """An mnist.npz in MNIST's own format and sizes (uint8 28x28 images, uint8 labels) where Keras keeps it: the
    synthetic digits, since nothing can be downloaded here; the suite reads it as it reads the real one. (At a
    tenth of the size, 1,000 test images, the tiny MLP's bf16 fits spread enough for the accuracy gate to fail
    on a 95% bound of -0.0101: the gate's noise at that size, not the job's.)"""
    from mpmodel.core.data.synthetic import synthetic_mnist  # noqa: PLC0415 (only this stand-in needs it)

    d = synthetic_mnist(n_train, n_test)
    images = lambda x: np.clip(np.rint(x.reshape(-1, 28, 28) * 255), 0, 255).astype(np.uint8)  # noqa: E731
    path = keras_home / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_npz(path, x_train=images(d.x_train), y_train=d.y_train.astype(np.uint8), x_test=images(d.x_test),
                     y_test=d.y_test.astype(np.uint8))


def new_project(folder: Path) -> Path:
    """A team's repository: one commit on main, nothing of mpmodel's."""
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# a team's model\n")
    workflow = folder / ".github" / "workflows" / "mixed-precision.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(readme_workflow())
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "a team's repository"]):
        subprocess.run(git + args, cwd=folder, check=True)
    return folder


def run_job(project: Path, steps: list[Step], job_env: dict[str, str], keras_home: Path, summary: Path,
            say=print) -> JobRun:
    """One job: the runner's checkout (the project cleaned to its commit, the cache's `.benchmarks` kept), then
    each run step in GitHub Actions' default shell, stopping at the first failure except `if: always()` steps."""
    subprocess.run(["git", "clean", "-ffdxq", "-e", CACHED], cwd=project, check=True)
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not os.environ.get("VIRTUAL_ENV") or not p.startswith(os.environ["VIRTUAL_ENV"]))
    env.update(job_env)
    env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "main", "GITHUB_EVENT_NAME": "schedule",
                "GITHUB_WORKSPACE": str(project), "GITHUB_STEP_SUMMARY": str(summary), "KERAS_HOME": str(keras_home)})
    summary.write_text("")
    result, failed, start = JobRun(), False, time.perf_counter()
    for step in steps:
        if failed and not step.always:
            result.steps.append(StepResult(step.run, None))
            continue
        t0 = time.perf_counter()
        done = subprocess.run(["bash", "-e", "-c", step.run], cwd=project, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=STEP_TIMEOUT_S)
        result.steps.append(StepResult(step.run, done.returncode, time.perf_counter() - t0, done.stdout))
        failed = failed or done.returncode != 0
        say(f"  exit {done.returncode} in {time.perf_counter() - t0:5.0f} s: {step.run}")
    result.summary, result.seconds = summary.read_text(), time.perf_counter() - start
    return result


def run_twice(work: Path, wheel: Path | None = None, say=print) -> list[JobRun]:
    """The README's job twice in a fresh project under `work`: (first run, second run)."""
    wheel = wheel or build_wheel(work / "dist")
    steps, env = apply_stand_ins(readme_job(), stand_ins(wheel))
    keras_home = work / "keras"
    write_mnist_cache(keras_home)
    project = new_project(work / "project")
    runs = []
    for n in (1, 2):
        say(f"the README's job, run {n}, in {project}")
        runs.append(run_job(project, [Step(s.run, s.always) for s in steps], env, keras_home, work / f"summary-{n}.md", say))
        say(f"run {n}: {'green' if runs[-1].green else 'RED'} in {runs[-1].seconds:.0f} s")
    return runs


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="run the README's GPU CI job twice in a fresh project, with CPU stand-ins")
    p.add_argument("--wheel", type=Path, help="an mpmodel wheel (default: build one from this checkout)")
    p.add_argument("--work", type=Path, help="a folder to work in (default: a new temporary one)")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="readme-job-"))
    runs = run_twice(work, args.wheel)
    (work / "runs.json").write_text(json.dumps([[s.__dict__ for s in r.steps] for r in runs], indent=1))
    for n, r in enumerate(runs, 1):
        if not r.green:
            bad = next(s for s in r.steps if s.rc not in (0, None))
            print(f"run {n}: `{bad.run}` exited {bad.rc}; its last lines:\n{bad.output[-3000:]}")
    return 0 if all(r.green for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
