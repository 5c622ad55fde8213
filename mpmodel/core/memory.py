"""Memory a training step needs: measured in this process, and the least it must hold by arithmetic.

Measured (`memory_probe.measure_step_memory`, with the readers here), after the model is built and warmed up:
- on an NVIDIA GPU, through the framework's allocator (each backend's runtime reads its own): PyTorch `memory_allocated` and
  `max_memory_allocated` after `reset_peak_memory_stats`; TensorFlow `get_memory_info` after
  `reset_memory_stats`; JAX `memory_stats()` `bytes_in_use` and `peak_bytes_in_use`, which has no reset,
  so its step peak holds only in a fresh process whose warm-up peaked no higher than a step;
- on a CPU, the process's resident set: freed memory handed back (`malloc_trim`), the peak reset through
  `/proc/self/clear_refs`, one step, then the peak (`VmHWM`) above the resident set before it.
`resting_bytes` is what building and warming up the model added (weights, optimizer slots, any
mixed-precision copies kept); each step's peak is above that resting state. The suite measures in a fresh
child process per policy (`python -m mpmodel.core.memory_probe`), never inside a timed benchmark.

Analytic (`analytic_bytes`, from the workload; the seed's MLP and any all-Dense model):
weights and optimizer slots at rest; for a step, the weights' copies in the
compute dtype, their float32 gradients, the activations kept for the backward pass and the activation
gradients in flight, each in its dtype.
"""

from __future__ import annotations

import ctypes
import gc
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from mpmodel.core.backends import runtime
from mpmodel.core.profiles import Profile
from mpmodel.core.workload import Analytic

STEP_REPEATS = 5
WARMUP_STEPS = 2  # before the resting state is read: the optimizer state built, the step traced and compiled


def mib(n: float) -> str:
    """Bytes as MiB, for messages: '42.1 MiB'."""
    return f"{n / 2**20:.1f} MiB"


def analytic_bytes(profile: Profile, policy: str) -> Analytic | None:
    """The least a step of `profile` under `policy` holds, from the model's shapes alone (the workload's
    `analytic_memory`); None where the workload cannot compute it."""
    return profile.workload.analytic_memory(profile.size, policy)


def status_kib(field_name: str, text: str | None = None) -> int:
    """A `VmRSS`/`VmHWM` figure of /proc/self/status in bytes."""
    text = Path("/proc/self/status").read_text() if text is None else text
    match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    if match is None:
        raise OSError(f"/proc/self/status has no {field_name}")
    return int(match.group(1)) * 1024


class HostMemory:
    """The process's resident set, its peak reset before each step."""

    method = "process peak resident set (VmHWM after /proc/self/clear_refs, malloc_trim)"

    def settle(self) -> int:
        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed memory otherwise
        except (OSError, AttributeError):
            pass
        return status_kib("VmRSS")

    def reset_peak(self) -> None:
        Path("/proc/self/clear_refs").write_text("5")

    def peak(self) -> int:
        return status_kib("VmHWM")


def reader_for(gpu: bool):
    """The host's resident set on a CPU; on a GPU, the allocator statistics of the backend in use."""
    return runtime().gpu_memory() if gpu else HostMemory()


@dataclass
class StepMemory:
    """One policy's memory, measured in one process."""

    policy: str
    resting_bytes: int
    peak_step_bytes: list[int] = field(default_factory=list)  # one per repeat, above the resting state
    method: str = ""

    @property
    def peak(self) -> int:
        return int(statistics.median(self.peak_step_bytes))

    @property
    def footprints(self) -> list[int]:
        """Resting plus each step's peak: the most the training held above the process without it. On CPUs
        the frameworks keep a step's buffers between steps (TensorFlow's allocator, oneDNN's caches), so
        there the step's memory shows in the resting figure and this is the comparable one."""
        return [self.resting_bytes + p for p in self.peak_step_bytes]

    @property
    def footprint(self) -> int:
        return int(statistics.median(self.footprints))
