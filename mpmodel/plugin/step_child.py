"""The step probe in a child process (`python -m mpmodel.core.step_probe`), every step under a time limit.

A step that crawls inside one native call (TensorFlow's fused float16 MatMul+BiasAdd on an Intel Xeon: 68 s
at the small profile) cannot be stopped from Python in the process that runs it; a child can be killed. The
child reports each step as it ends; the parent kills it once the running step outlasts its limit
(mpmodel.measure.probe), records the policy as stopped after that limit, and probes the policies left in a
fresh child. float32 goes first, so the mixed policies' limits follow from its measured steps. A round of steps
back to back that follows a policy's short steps is read into its result.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace

from mpmodel.core.policies import BASELINE
from mpmodel.core.profiles import Profile
from mpmodel.measure.probe import BASELINE_LIMIT_S, PROBE_STEPS, ProbedStep, first_step_limit, step_limit

BETWEEN_POLICIES_S = BASELINE_LIMIT_S  # from one policy's last step to the next one's start (freeing, clear_session)


def child_environment(profile: Profile | str | None = None) -> dict[str, str]:
    """The session's environment for a child beside it on the same GPU: JAX allocates on demand there rather than
    preallocating 75% of the memory the session already holds 75% of (a user's own setting wins). A user's
    workload imported from a folder puts that folder first on the child's PYTHONPATH."""
    env = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false", **os.environ}
    root = profile.workload.import_root if isinstance(profile, Profile) else None
    if root:
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def profile_args(profile: Profile | str) -> list[str]:
    """--profile and --workload for a child: a profile name alone is the seed's MLP's."""
    if isinstance(profile, str):
        return [f"--profile={profile}"]
    return [f"--profile={profile.name}", f"--workload={profile.workload.spec or profile.workload.name}"]


def child_command(policies: list[str], profile: Profile | str, jit: str, fp32: str, steps: int,
                  remapping: bool) -> list[str]:
    return [sys.executable, "-m", "mpmodel.core.step_probe", *profile_args(profile), f"--jit={jit}", f"--fp32={fp32}",
            f"--steps={steps}", f"--parent-pid={os.getpid()}", *([] if remapping else ["--no-remapping"]), *policies]


def probe_in_child(policies: list[str], profile: Profile | str, jit: str, fp32: str, baseline: ProbedStep | None = None,
                   remapping: bool = True, steps: int = PROBE_STEPS, clock: Callable[[], float] = time.monotonic,
                   command: Callable[..., list[str]] = child_command) -> dict[str, ProbedStep]:
    """Each policy's probed step, in the order given (float32 first where it is among them). `baseline`:
    float32's probe where it is not among `policies`, for the mixed limits."""
    results: dict[str, ProbedStep] = {}
    pending = list(policies)
    while pending:
        found = _one_child(pending, profile, jit, fp32, baseline, remapping, steps, clock, command)
        results.update(found)
        if not found:  # the child ended before it started a policy (an import error): the same would repeat
            error = "the probe child ended before it began"
            return {**results, **{p: ProbedStep(p, None, error=error, remapping=remapping) for p in pending}}
        pending = [p for p in pending if p not in results]
    return results


def _one_child(pending, profile, jit, fp32, baseline, remapping, steps, clock, command) -> dict[str, ProbedStep]:
    results: dict[str, ProbedStep] = {}
    with tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(command(pending, profile, jit, fp32, steps, remapping), stdout=subprocess.PIPE,
                                stderr=stderr, env=child_environment(profile))
        current, first, later, limit = None, None, [], BETWEEN_POLICIES_S
        deadline = clock() + limit
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        lines = _lines(proc.stdout.fileno())
        try:
            while True:
                if not selector.select(timeout=max(0.0, deadline - clock())):
                    if current is not None:
                        results[current] = ProbedStep(current, first, tuple(later), stopped_after_s=limit,
                                                      remapping=remapping)
                    return results  # the running step (or the gap between policies) outlasted its limit
                got = next(lines)
                if got is None:
                    break
                for event in got:
                    base = results.get(BASELINE, baseline)
                    if event["event"] == "start":
                        current, first, later = event["policy"], None, []
                        limit = BASELINE_LIMIT_S if current == BASELINE else first_step_limit(base)
                    elif event["event"] == "round":  # after the policy's last step, under the gap's limit
                        done = event["policy"]
                        if done in results:
                            results[done] = replace(results[done], round_steps=event["steps"], round_s=event["seconds"])
                    elif event["event"] == "error":  # the step raised; the child goes on to the next policy
                        results[current] = ProbedStep(current, first, tuple(later), remapping=remapping,
                                                      error=event["message"])
                        current, limit = None, BETWEEN_POLICIES_S
                    elif event["index"] == 0:
                        first = event["seconds"]
                        limit = BASELINE_LIMIT_S if current == BASELINE else step_limit(base)
                    else:
                        later.append(event["seconds"])
                    if event["event"] == "step" and len(later) == steps:
                        results[current] = ProbedStep(current, first, tuple(later), remapping=remapping)
                        current, limit = None, BETWEEN_POLICIES_S
                    deadline = clock() + limit
            proc.wait()
            if current is not None:  # the child died inside a policy: out of memory, a crash
                stderr.seek(0)
                said = ([line.strip() for line in stderr if line.strip()] or ["no output"])[-1][:300]
                results[current] = ProbedStep(current, first, tuple(later), remapping=remapping,
                                              error=f"the probe child exited {proc.returncode}: {said}")
            return results
        finally:
            selector.close()
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()


def _lines(fd: int):
    """Yields the JSON events of each read from `fd` that ends a line (an empty list while a line is half
    read), then None at end of file: reads from the raw descriptor, so nothing waits in a buffer that select
    cannot see."""
    pending = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            yield None
            return
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield [json.loads(line) for line in complete if line.strip()]
