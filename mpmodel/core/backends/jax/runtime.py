"""JAX's calls: the jitted `train_step` called K times with the state threaded through, the kernels under
`jax.jit`, matmul precision through `jax.default_matmul_precision`, device facts from `jax.devices()`, the
allocator's `memory_stats()`, and K steps fused into one compiled `lax.fori_loop` for the GPU check."""

from __future__ import annotations

import contextlib

import jax
import jax.numpy as jnp

from mpmodel.core.backends.base import GpuMemory, Runtime
from mpmodel.core.backends.jax import TRAITS
from mpmodel.core.cuda_versions import cuda_version, cudnn_version
from mpmodel.core.device import GpuInfo, capability_from_name


def cuda_libraries(versions) -> tuple[str | None, str | None]:
    """(CUDA, cuDNN) as loaded, from JAX's own CUDA plugin (`jax._src.lib.cuda_versions`: the runtime's
    `cuda_runtime_get_version`, `cudnn_get_version`); None for each it cannot read (no plugin, no GPU)."""
    def read(name):
        getter = getattr(versions, name, None)
        try:
            return getter() if getter else None
        except Exception:  # a plugin without a loadable library: the fact is unknown, not an error
            return None

    return cuda_version(read("cuda_runtime_get_version")), cudnn_version(read("cudnn_get_version"))


class JaxGpu(GpuMemory):
    method = "jax memory_stats peak_bytes_in_use (no reset: a fresh process, warm-up peaks included)"

    def __init__(self):
        self.device = jax.devices()[0]

    def held(self) -> int:
        return self.device.memory_stats()["bytes_in_use"]

    def reset_peak(self) -> None:
        pass  # JAX releases have no reset

    def peak(self) -> int:
        return self.device.memory_stats()["peak_bytes_in_use"]


def _state(model):
    return model._get_jax_state(trainable_variables=True, non_trainable_variables=True, optimizer_variables=True,
                                metrics_variables=True, purge_model_variables=False)


class Backend(Runtime):
    traits = TRAITS

    def multi_step(self, model, batches):
        """The jitted `train_step` K times (dispatch is asynchronous), `block_until_ready` once, the state written
        back to the model."""
        step = jax.jit(model.train_step, donate_argnums=0) if model.jit_compile else model.train_step

        def run(k):
            state = _state(model)
            model._jax_state_synced = False
            logs = None
            for i in range(k):
                logs, state = step(state, batches[i % len(batches)])
            loss = float(jax.block_until_ready(logs["loss"]))
            trainable, non_trainable, optimizer, metrics = state
            model._jax_state = {"trainable_variables": trainable, "non_trainable_variables": non_trainable,
                                "optimizer_variables": optimizer, "metrics_variables": metrics}
            model.jax_state_sync()
            return loss

        return run

    def compiled(self, fn, jit):
        return jax.jit(fn) if jit == "on" else fn

    def with_gradients(self, fn, wrt):
        def call(*args):
            *xs, cotangent = args

            def of(*chosen):
                full = list(xs)
                for i, x in zip(wrt, chosen, strict=True):
                    full[i] = x
                return fn(*full)

            y, pull_back = jax.vjp(of, *[xs[i] for i in wrt])
            return [y, *pull_back(cotangent)]

        return call

    def tf32_allowed(self) -> bool:
        return jax.config.jax_default_matmul_precision not in ("highest", "float32")

    @contextlib.contextmanager
    def strict_float32(self):
        with jax.default_matmul_precision("float32"):
            yield

    def device_facts(self, info) -> None:
        info.versions[self.name] = jax.__version__
        info.devices_seen = [f"{d.platform.upper()}:{d.id}" for d in jax.devices()]
        for d in jax.devices():
            if d.platform == "gpu":
                kind = getattr(d, "device_kind", "GPU")  # some jaxlib builds report no compute_capability: the model's
                info.gpus.append(GpuInfo(kind, getattr(d, "compute_capability", None) or capability_from_name(kind)))
        if info.gpus:
            from jax._src import lib as jax_lib  # noqa: PLC0415 (JAX's CUDA plugin's version module, None without it)

            info.cuda_build_version, info.cudnn_build_version = cuda_libraries(jax_lib.cuda_versions)

    def gpu_memory(self) -> GpuMemory:
        return JaxGpu()

    def fused_loop(self, model, batches):
        """K training steps in one jitted `lax.fori_loop`, from a copy of the model's state (the suite's rounds
        donate the model's buffers to their steps), ending in `block_until_ready`."""
        xs = jnp.stack([x for x, _ in batches])
        ys = jnp.stack([y for _, y in batches])
        n = len(batches)
        state = jax.tree.map(jnp.copy, _state(model))

        def body(i, carry):
            current, _loss = carry
            logs, current = model.train_step(current, (xs[i % n], ys[i % n]))
            return current, jnp.asarray(logs["loss"], jnp.float32)

        loops = {}

        def run(k: int) -> float:
            if k not in loops:
                loops[k] = jax.jit(lambda s: jax.lax.fori_loop(0, k, body, (s, jnp.float32(0))))
            _state_after, loss = loops[k](state)
            return float(jax.block_until_ready(loss))

        return run
