"""PyTorch's calls: the model's `train_function` K times (`torch.compile`d where the model is), the kernels
eagerly (torch.compile would call the same ones), TF32 through whichever API this PyTorch has, device facts
from `torch.cuda`, the caching allocator's statistics, and CUDA events and the profiler for the GPU check."""

from __future__ import annotations

import contextlib
import time

import torch

from mpmodel.core.backends.base import GpuMemory, RoundTiming, Runtime
from mpmodel.core.backends.torch import TRAITS
from mpmodel.core.cuda_versions import cuda_version, cudnn_version
from mpmodel.core.device import GpuInfo

# PyTorch 2.9 added per-backend `fp32_precision` ("ieee", "tf32", or "none": inherit) beside the legacy
# `allow_tf32` flags; once the new API set "tf32", reading `allow_tf32` raises. Where it exists, only
# the new API is used: read there first, switched there.
TORCH_IEEE, TORCH_TF32 = "ieee", "tf32"


def tf32_allowed_in(backends) -> bool:
    """Whether PyTorch float32 matmuls may run as TF32, through whichever API `torch.backends` has."""
    matmul = backends.cuda.matmul
    for precision in (getattr(matmul, "fp32_precision", None), getattr(backends, "fp32_precision", None)):
        if precision in (TORCH_IEEE, TORCH_TF32):
            return precision == TORCH_TF32
    return bool(matmul.allow_tf32)


@contextlib.contextmanager
def strict_float32_in(backends):
    """TF32 off for matmuls and cuDNN convolutions in `torch.backends`, through the new API where it exists."""
    if hasattr(backends.cuda.matmul, "fp32_precision"):
        targets = [backends.cuda.matmul] + [t for t in (getattr(backends.cudnn, "conv", None),) if t is not None]
        previous = [t.fp32_precision for t in targets]
        for t in targets:
            t.fp32_precision = TORCH_IEEE
        try:
            yield
        finally:
            for t, value in zip(targets, previous, strict=True):
                t.fp32_precision = value
        return
    previous = (backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32)
    backends.cuda.matmul.allow_tf32 = backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32 = previous


def kernel_time_us(averages) -> float:
    """The GPU's own time in a profile's averages, in microseconds: the device-side entries (kernels, copies)
    alone. The CPU-side operator that launched a kernel carries the same time as its `self_device_time_total`,
    so summing every entry counts each kernel twice."""
    return sum(e.self_device_time_total for e in averages if str(getattr(e, "device_type", "")).endswith("CUDA"))


class TorchCuda(GpuMemory):
    method = "torch.cuda max_memory_allocated after reset_peak_memory_stats"

    def held(self) -> int:
        torch.cuda.synchronize()
        return torch.cuda.memory_allocated()

    def reset_peak(self) -> None:
        torch.cuda.reset_peak_memory_stats()

    def peak(self) -> int:
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated()


class Backend(Runtime):
    traits = TRAITS

    def multi_step(self, model, batches):
        """The model's `train_function` K times; the last loss read once, which waits for every step before it."""
        train = model.train_function  # built by the first train_on_batch, torch.compile'd where the model is

        def run(k):
            logs = None
            for i in range(k):
                logs = train([batches[i % len(batches)]])
            return float(logs["loss"])

        return run

    def with_gradients(self, fn, wrt):
        def call(*args):
            *xs, cotangent = args
            xs = [x.detach().requires_grad_(i in wrt) for i, x in enumerate(xs)]
            with torch.enable_grad():
                y = fn(*xs)
                grads = torch.autograd.grad(y, [xs[i] for i in wrt], grad_outputs=cotangent)
            return [y.detach(), *grads]

        return call

    def tf32_allowed(self) -> bool:
        return tf32_allowed_in(torch.backends)

    def strict_float32(self):
        return strict_float32_in(torch.backends)

    def device_facts(self, info) -> None:
        info.versions[self.name] = torch.__version__
        info.devices_seen = ["CPU:0"]
        if torch.cuda.is_available():
            for i in range(torch.cuda.device_count()):
                major, minor = torch.cuda.get_device_capability(i)
                info.gpus.append(GpuInfo(torch.cuda.get_device_name(i), f"{major}.{minor}"))
                info.devices_seen.append(f"GPU:{i}")
            info.cuda_build_version = cuda_version(torch.version.cuda)
            info.cudnn_build_version = cudnn_version(torch.backends.cudnn.version())

    def gpu_memory(self) -> GpuMemory:
        return TorchCuda()

    def event_rounds(self, run, steps, rounds):
        """The host clock and, on a CUDA device, CUDA events recorded on the stream around each round."""
        if not torch.cuda.is_available():
            return super().event_rounds(run, steps, rounds)
        out = []
        for _ in range(rounds):
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            t0 = time.perf_counter()
            run(steps)
            host = time.perf_counter() - t0
            end.record()
            end.synchronize()
            out.append(RoundTiming(host / steps, start.elapsed_time(end) / 1e3 / steps))  # elapsed_time: ms
        return out

    def kernel_busy_share(self, run, steps):
        """The profiler's kernel time over one round's wall time; the profiler slows the host, so this is a lower
        bound for an unprofiled round."""
        if not torch.cuda.is_available():
            return None, "no CUDA device"
        from torch.profiler import ProfilerActivity, profile  # noqa: PLC0415 (the profiler, only for the GPU check)

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
