"""The interface every backend implements (`Runtime`), its light description (`Traits`), and what a backend
without a capability does by default (says so, never fakes it)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass


class UnsupportedBackend(ValueError):
    """A Keras backend mpmodel has no runtime for; the message names the supported ones."""


@dataclass(frozen=True)
class Traits:
    """What is known of a backend without loading its framework."""

    name: str  # Keras's name: KERAS_BACKEND=<name>
    extra: str  # the pip extra that installs it: mpmodel[<extra>]
    harness: str  # the K-step training loop the suite's rounds run
    xla_on_cpu: bool  # what Keras's jit_compile="auto" resolves to on a CPU
    xla_on_gpu: bool  # ... and where a GPU is visible
    op_fusion: str | None = None  # a graph rewrite that can be switched off to diagnose a crawling step
    op_fusion_short: str = ""  # ... named again in the same sentence: "the remapper"
    fused_kernels: str = ""  # what it fuses: "MatMul+BiasAdd"

    def auto_compiles(self, gpu_visible: bool) -> bool:
        """Whether Keras's jit_compile="auto" compiles the step with XLA here."""
        return self.xla_on_gpu if gpu_visible else self.xla_on_cpu


@dataclass(frozen=True)
class RoundTiming:
    """One K-step round, per step: by the host clock, and by device events (None where the backend has none)."""

    host_s: float
    device_s: float | None


class GpuMemory:
    """The allocator's statistics on the GPU: settle() -> bytes held now (Python's garbage collected first),
    reset_peak(), peak() -> bytes."""

    method = ""

    def settle(self) -> int:
        gc.collect()
        return self.held()

    def held(self) -> int:
        raise NotImplementedError

    def reset_peak(self) -> None:
        raise NotImplementedError

    def peak(self) -> int:
        raise NotImplementedError


class Runtime:
    """One backend's framework calls. Subclasses live in `<backend>/runtime.py` and import their framework there."""

    traits: Traits

    @property
    def name(self) -> str:
        return self.traits.name

    def multi_step(self, model, batches: list[tuple]) -> Callable[[int], float]:
        """`run(k)`: k of the model's `train_step` back to back through the backend's own execution, one host sync
        at the end; returns the last loss. The model has run one `train_on_batch` (Keras builds its state there)."""
        raise NotImplementedError

    def compiled(self, fn: Callable, jit: str) -> Callable:
        """`fn` (Keras ops) compiled as the backend compiles a step under the resolved compile mode `jit` (on,
        off: mpmodel.core.policies.resolve_jit), for the kernels alone."""
        return fn

    def compiles_graphs(self, jit: str) -> bool:
        """Whether `compiled(fn, jit)` builds a graph, into which K iterations can go as one loop."""
        return jit == "on"

    def with_gradients(self, fn: Callable, wrt: tuple[int, ...]) -> Callable:
        """`g(*args, cotangent)` -> [fn(*args), gradient for each of args[i], i in `wrt`]: the forward kernel and the
        backward ones the framework's own autodiff runs for it (a convolution's backprop-filter and -input, an
        attention op's gradient), pulled back from `cotangent`, for the kernels alone."""
        raise UnsupportedBackend(f"no gradients of single ops under Keras backend {self.name}")

    def tf32_allowed(self) -> bool:
        """Whether float32 matmuls may run as TF32 now (on hardware that has it)."""
        return False

    @contextlib.contextmanager
    def strict_float32(self) -> Iterator[None]:
        """TF32 off for the block (matmuls and convolutions), the previous setting restored after."""
        yield

    def device_facts(self, info) -> None:
        """Fill a `DeviceInfo`: the framework's version, the devices it sees, GPUs, CUDA and cuDNN builds."""

    def gpu_memory(self) -> GpuMemory:
        """The GPU allocator's statistics reader."""
        raise UnsupportedBackend(f"no GPU memory statistics under Keras backend {self.name}")

    def op_fusion_off(self) -> None:
        """Switch the graph rewrite named by `traits.op_fusion` off for this process; nothing by default."""

    def event_rounds(self, run: Callable[[int], object], steps: int, rounds: int) -> list[RoundTiming]:
        """`rounds` calls of `run(steps)` by the host clock; backends with device events add the device's."""
        out = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            run(steps)
            out.append(RoundTiming((time.perf_counter() - t0) / steps, None))
        return out

    def kernel_busy_share(self, run: Callable[[int], object], steps: int) -> tuple[float | None, str]:
        """(share of a round's wall time the GPU spent in kernels, how it was read); None with the reason where
        it cannot be read."""
        return None, f"no kernel profiler read under {self.name}"

    def fused_loop(self, model, batches) -> Callable[[int], float] | None:
        """`run(k)`: k training steps in one compiled loop (no per-step dispatch), from the model's current state,
        leaving the model as it was; None where the backend has no such loop."""
        return None
