"""Device-side timing, to check the suite's host-timed rounds against what the device itself did.

- PyTorch: CUDA events recorded on the stream around the very rounds the suite times
  (`event_rounds`), and the share of a round the GPU spent in kernels, from PyTorch's profiler
  (`kernel_busy_share`): a round whose kernels fill it is not waiting on Python.
- JAX: the model's own `train_step`, K of them inside one compiled `lax.fori_loop`, the host waiting
  once with `block_until_ready` (`fused_loop`): a reference with no per-step dispatch at all.

Where no CUDA device is present (a CPU run of the GPU check, to test it), the events are absent and
say so (`device_s` None) rather than being replaced by the host clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoundTiming:
    """One K-step round, per step: by the host clock, and by CUDA events (None without a CUDA device)."""

    host_s: float
    device_s: float | None


def event_rounds(run: Callable[[int], object], steps: int, rounds: int) -> list[RoundTiming]:
    """Time `rounds` calls of `run(steps)` by the host clock and, on a CUDA device, by events around each."""
    import torch  # noqa: PLC0415 (PyTorch's CUDA events; only under the PyTorch backend)

    cuda = torch.cuda.is_available()
    out = []
    for _ in range(rounds):
        start = end = None
        if cuda:
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
        t0 = time.perf_counter()
        run(steps)
        host = time.perf_counter() - t0
        device = None
        if cuda:
            end.record()
            end.synchronize()
            device = start.elapsed_time(end) / 1e3 / steps  # elapsed_time is in milliseconds
        out.append(RoundTiming(host / steps, device))
    return out


def kernel_busy_share(run: Callable[[int], object], steps: int) -> tuple[float | None, str]:
    """(share of one round's wall time the GPU spent in kernels and copies, how it was read).

    The profiler slows the host, so the share under it is a lower bound for an unprofiled round.
    None, with the reason, where there is no CUDA device or the profiler cannot read the GPU."""
    import torch  # noqa: PLC0415 (PyTorch's profiler; only under the PyTorch backend)

    if not torch.cuda.is_available():
        return None, "no CUDA device"
    from torch.profiler import ProfilerActivity, profile  # noqa: PLC0415 (as above)

    try:
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            run(steps)
            torch.cuda.synchronize()
            wall = time.perf_counter() - t0
        busy_us = kernel_time_us(prof.key_averages())
    except Exception as exc:  # a profiler without CUPTI access: report why, do not fail the check
        return None, f"profiler unavailable: {type(exc).__name__}: {exc}"[:200]
    if busy_us <= 0:
        return None, "the profiler recorded no GPU activity"
    return busy_us / 1e6 / wall, "torch.profiler kernel time / round wall time"


def kernel_time_us(averages) -> float:
    """The GPU's own time in a profile's averages, in microseconds: the device-side entries (kernels, copies)
    alone. The CPU-side operator that launched a kernel carries the same time as its `self_device_time_total`,
    so summing every entry counts each kernel twice."""
    return sum(e.self_device_time_total for e in averages if str(getattr(e, "device_type", "")).endswith("CUDA"))


def fused_loop(model, batches) -> Callable[[int], float]:
    """`run(k)`: k of the model's training steps in one jitted `lax.fori_loop`, from the model's current
    state each time (the model is left as it was), ending in `block_until_ready`; returns the last loss.
    The model must have run one `train_on_batch` (Keras builds the optimizer state there)."""
    import jax  # noqa: PLC0415 (JAX's compiled loop; only under the JAX backend)
    import jax.numpy as jnp  # noqa: PLC0415 (as above)

    xs = jnp.stack([x for x, _ in batches])
    ys = jnp.stack([y for _, y in batches])
    n = len(batches)
    state = model._get_jax_state(trainable_variables=True, non_trainable_variables=True, optimizer_variables=True,
                                 metrics_variables=True, purge_model_variables=False)
    state = jax.tree.map(jnp.copy, state)  # its own buffers: the suite's rounds donate the model's to their steps

    def body(i, carry):
        current, _loss = carry
        logs, current = model.train_step(current, (xs[i % n], ys[i % n]))
        return current, jnp.asarray(logs["loss"], jnp.float32)

    loops = {}

    def run(k: int) -> float:
        if k not in loops:
            loops[k] = jax.jit(lambda s: jax.lax.fori_loop(0, k, body, (s, jnp.float32(0))))
        _state, loss = loops[k](state)
        return float(jax.block_until_ready(loss))

    return run
