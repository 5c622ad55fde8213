"""Out-of-memory failures, told in the suite's terms: which policy, which batch, how much was free.

Each backend raises its own error when a device runs out of memory: TensorFlow's
ResourceExhaustedError, PyTorch's OutOfMemoryError, JAX's runtime error with
RESOURCE_EXHAUSTED, Python's MemoryError on the host. `out_of_memory_message` turns one into a
line with the batch size, the policy, the free memory and a smaller profile to try;
`failure_message` gives the plugin that line for a failed test, frees what the backend holds, and the session goes on.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from mpmodel.core.memory import mib
from mpmodel.core.profiles import PROFILES, profiles_of
from mpmodel.core.step_key import ANY_VARIANT
from mpmodel.plugin.monitor import GpuReader

OOM_TYPES = ("ResourceExhaustedError", "OutOfMemoryError", "MemoryError")
# cuBLAS and cuDNN report a failed workspace allocation in their own words, often inside another error.
OOM_MARKERS = ("RESOURCE_EXHAUSTED", "out of memory", "OOM when allocating", "CUBLAS_STATUS_ALLOC_FAILED",
               "CUDNN_STATUS_ALLOC_FAILED", "CUDA_ERROR_OUT_OF_MEMORY", "cudaErrorMemoryAllocation")


def out_of_memory_text(text: str) -> bool:
    """Whether an error's text ('ResourceExhaustedError: ...', a probe child's last line) says out of memory."""
    return any(t in text for t in OOM_TYPES) or any(marker.lower() in text.lower() for marker in OOM_MARKERS)


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether `exc` (or what it was raised from) is a device or host out-of-memory error."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if any(t.__name__ in OOM_TYPES for t in type(exc).__mro__):
            return True
        if out_of_memory_text(str(exc)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"


def host_available(meminfo: str | None = None) -> int | None:
    """MemAvailable from /proc/meminfo in bytes, None where there is none."""
    if meminfo is None:
        path = Path("/proc/meminfo")
        if not path.is_file():
            return None
        meminfo = path.read_text()
    for line in meminfo.splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return None


def free_memory(gpu_visible: bool) -> str:
    """Free memory now, in words: each GPU through NVML, else the host's."""
    if gpu_visible:
        reader = GpuReader()
        gpus = reader.memory() if reader.available else []
        if gpus:
            return ", ".join(f"GPU{i} {_gib(free)} free of {_gib(total)}" for i, (free, total) in enumerate(gpus))
        return "GPU free memory unknown (install mpmodel[gpu] for nvidia-ml-py)"
    available = host_available()
    return f"host {_gib(available)} available" if available is not None else "free memory unknown"


def smaller_profiles(batch_size: int, workload=None) -> list:
    """The workload's profiles (the seed's MLP's by default) with a smaller batch, largest first; harness checks
    are no way to measure the model."""
    profiles = PROFILES if workload is None else profiles_of(workload)
    return sorted((p for p in profiles.values() if p.batch_size < batch_size and not p.harness_check),
                  key=lambda p: -p.batch_size)


GPU_ADVICE = ("free the GPU (other processes; fewer --mp-policies per session) or use one with more memory; "
              "the smaller profiles are sized for CPUs, and on a GPU they would time mostly host overhead")


def fitted_peaks(memories: dict) -> str:
    """'; measured step peaks of the policies that fit: float32 42.1 MiB (resting 15.0 MiB), ...' from the
    session's test_memory results (StepKey -> StepMemory); empty where none was measured."""
    if not memories:
        return ""
    usual = ("default", ANY_VARIANT)
    parts = [f"{m.policy}{'' if key.jit == 'auto' and key.fp32 in usual else f' jit_{key.jit} fp32_{key.fp32}'} {mib(m.peak)} "
             f"(resting {mib(m.resting_bytes)})" for key, m in memories.items()]
    return "; measured step peaks of the policies that fit: " + ", ".join(parts)


def _dims(profile) -> str:
    """', 1024 units': the workload's own sizes, for messages."""
    return "".join(f", {v} {k}" for k, v in profile.size.dims.items())


def out_of_memory_message(exc: BaseException, policy: str | None, profile, free: str, on_gpu: bool = False,
                          memories: dict | None = None) -> str:
    """One line: what ran out, at which batch and policy, how much is free, what to try, and the step peaks
    test_memory measured for the policies that fit."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    smaller = [] if on_gpu else smaller_profiles(profile.batch_size, profile.workload)
    if on_gpu:
        advice = GPU_ADVICE
    elif smaller:
        advice = f"try --mp-profile {smaller[0].name} (batch {smaller[0].batch_size}{_dims(smaller[0])})"
    else:
        advice = "free the device (other processes, a smaller --mp-policies list) and rerun"
    return (f"out of memory training {policy or 'the model'} at batch {profile.batch_size} "
            f"({profile.name} profile{_dims(profile)}): {free}; {advice}{fitted_peaks(memories or {})} "
            f"[{type(exc).__name__}: {first}]")


def release_memory() -> None:
    """Drop what the backend still holds after a failed allocation, so the next test starts clean."""
    try:
        import keras  # noqa: PLC0415 (loaded already by the failed test; freeing its session is the point)

        keras.backend.clear_session()
    except Exception:  # noqa: S110 (best effort: the failure being reported matters more)
        pass
    gc.collect()
    torch = sys.modules.get("torch")  # only where the backend already loaded it
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def failure_message(item, exc: BaseException, ctx) -> str | None:
    """The one line a test that ran out of memory fails with, after freeing what the backend holds;
    None for any other error, or for a test without a run context (`ctx`: its `mp_run`)."""
    if ctx is None or not is_out_of_memory(exc):
        return None
    params = getattr(getattr(item, "callspec", None), "params", {})
    policy = params.get("policy") or params.get("mixed_policy")
    free = free_memory(ctx.device.gpu_visible)  # read before release: what the failed step faced
    release_memory()
    return out_of_memory_message(exc, policy, ctx.profile, free, on_gpu=ctx.device.gpu_visible,
                                 memories=ctx.memories)
