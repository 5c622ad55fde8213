"""Out-of-memory failures, told in the suite's terms: which policy, which batch, how much was free.

Each backend raises its own error when a device runs out of memory: TensorFlow's
ResourceExhaustedError, PyTorch's OutOfMemoryError, JAX's runtime error with
RESOURCE_EXHAUSTED, Python's MemoryError on the host. `out_of_memory_message` turns one into a
line with the batch size, the policy, the free memory and a smaller profile to try; the
plugin fails that test with it, frees what the backend holds, and the session goes on.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

OOM_TYPES = ("ResourceExhaustedError", "OutOfMemoryError", "MemoryError")
OOM_MARKERS = ("RESOURCE_EXHAUSTED", "out of memory", "OOM when allocating")


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether `exc` (or what it was raised from) is a device or host out-of-memory error."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if any(t.__name__ in OOM_TYPES for t in type(exc).__mro__):
            return True
        text = str(exc)
        if any(marker.lower() in text.lower() for marker in OOM_MARKERS):
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
        from mpmodel.monitor import GpuReader  # noqa: PLC0415

        reader = GpuReader()
        gpus = reader.memory() if reader.available else []
        if gpus:
            return ", ".join(f"GPU{i} {_gib(free)} free of {_gib(total)}" for i, (free, total) in enumerate(gpus))
        return "GPU free memory unknown (install mpmodel[gpu] for nvidia-ml-py)"
    available = host_available()
    return f"host {_gib(available)} available" if available is not None else "free memory unknown"


def smaller_profiles(batch_size: int) -> list:
    from mpmodel.profiles import PROFILES  # noqa: PLC0415

    return sorted((p for p in PROFILES.values() if p.batch_size < batch_size), key=lambda p: -p.batch_size)


def out_of_memory_message(exc: BaseException, policy: str | None, profile, free: str) -> str:
    """One line: what ran out, at which batch and policy, how much is free, and what to try."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    smaller = smaller_profiles(profile.batch_size)
    advice = (f"try --mp-profile {smaller[0].name} (batch {smaller[0].batch_size}, {smaller[0].units} units)"
              if smaller else "free the device (other processes, a smaller --mp-policies list) and rerun")
    return (f"out of memory training {policy or 'the model'} at batch {profile.batch_size} "
            f"({profile.name} profile, {profile.units} units): {free}; {advice} "
            f"[{type(exc).__name__}: {first}]")


def release_memory() -> None:
    """Drop what the backend still holds after a failed allocation, so the next test starts clean."""
    try:
        import keras  # noqa: PLC0415

        keras.backend.clear_session()
    except Exception:  # noqa: S110 (best effort: the failure being reported matters more)
        pass
    gc.collect()
    torch = sys.modules.get("torch")  # only where the backend already loaded it
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
