"""The GPU check's device part, in a process of its own under one backend: each workload's steps timed by the
suite's rounds and by the device, interleaved.

Under PyTorch: CUDA events recorded around the suite's own rounds, and the profiler's kernel-busy share of one
round (kernels counted once: the device's entries, not the CPU operators that launched them). Under JAX: K of
the model's train_steps fused into one jitted `lax.fori_loop` ending in `block_until_ready`, against the suite's
K dispatched steps. On a CPU there are no device clocks: the rows say so, and the host's times stand alone.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

CROSS_CHECK_ROUNDS = 7


def policy_row(rt, step, k: int, rounds: int = CROSS_CHECK_ROUNDS) -> dict:
    """One policy's steps by the host and by the device."""
    row = {"steps_per_round": k, "harness": step.harness}
    fused = rt.fused_loop(step.model, step.batches)
    if fused is None:  # device events where the backend has them (CUDA events under PyTorch), else the host clock
        timings = rt.event_rounds(step.run, k, rounds)
        row["suite_step_s"] = statistics.median(t.host_s for t in timings)
        devices = [t.device_s for t in timings if t.device_s is not None]
        row["device_step_s"] = statistics.median(devices) if devices else None
        row["device_method"] = "CUDA events around the suite's rounds" if devices else "none (no CUDA device)"
        row["busy_share"], row["busy_method"] = rt.kernel_busy_share(step.run, k)
        return row
    fused(k)  # compiles the K-step loop
    suite, device = [], []
    for _ in range(rounds):  # interleaved: the same conditions for both
        t0 = time.perf_counter()
        step.run(k)
        suite.append((time.perf_counter() - t0) / k)
        t0 = time.perf_counter()
        fused(k)
        device.append((time.perf_counter() - t0) / k)
    row["suite_step_s"], row["device_step_s"] = statistics.median(suite), statistics.median(device)
    row["device_method"] = "K train_steps in one jitted lax.fori_loop, block_until_ready"
    return row


def cross_check(profile_name: str, workloads: list[str], out: Path, policies: list[str]) -> int:
    """In this process (KERAS_BACKEND set): each workload's and policy's rounds by the host and by the device,
    appended to BACKEND-cross-check.jsonl as each is measured."""
    import keras  # noqa: PLC0415 (the backend under check loads here, after KERAS_BACKEND is set)

    from mpmodel.core.backends import runtime  # noqa: PLC0415 (imports the backend's framework)
    from mpmodel.core.errors import one_line  # noqa: PLC0415
    from mpmodel.core.model import build_model  # noqa: PLC0415
    from mpmodel.core.profiles import resolve_profile  # noqa: PLC0415
    from mpmodel.core.training import TrainingStep  # noqa: PLC0415
    from mpmodel.measure.rounds import steps_per_round, warm_up  # noqa: PLC0415

    backend = keras.backend.backend()
    rt = runtime()
    path = out / f"{backend}-cross-check.jsonl"
    for workload in workloads:
        profile = resolve_profile(workload, profile_name)
        data = profile.workload.synthetic_for(profile.size, 4 * profile.batch_size, profile.batch_size)
        for policy in policies:
            row = {"backend": backend, "workload": workload, "policy": policy}
            try:
                step = TrainingStep(build_model(policy, profile), data, profile.batch_size)
                k = steps_per_round(warm_up(step.run, profile.timing_warmup).step_s)
                row.update(policy_row(rt, step, k))
            except Exception as exc:  # a step with no kernel for its dtype here: the suite's own tests say so too
                row["error"] = one_line(exc)
            print(json.dumps(row), flush=True)
            with open(path, "a") as f:  # kept row by row: a check stopped at its limit keeps what it measured
                f.write(json.dumps(row) + "\n")
    return 0
