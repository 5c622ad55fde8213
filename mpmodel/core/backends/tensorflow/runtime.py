"""TensorFlow's calls: K steps inside one `tf.function`, the kernels under `tf.function`, TF32 through
`tf.config`, device facts from its physical devices and build info, the GPU allocator's memory info, and the
grappler remapper switch."""

from __future__ import annotations

import contextlib

import tensorflow as tf

from mpmodel.core.backends.base import GpuMemory, Runtime
from mpmodel.core.backends.tensorflow import TRAITS
from mpmodel.core.cuda_versions import cuda_version, cudnn_version
from mpmodel.core.device import GpuInfo


class TensorflowGpu(GpuMemory):
    method = "tf.config.experimental.get_memory_info peak after reset_memory_stats"

    def held(self) -> int:
        return tf.config.experimental.get_memory_info("GPU:0")["current"]

    def reset_peak(self) -> None:
        tf.config.experimental.reset_memory_stats("GPU:0")

    def peak(self) -> int:
        return tf.config.experimental.get_memory_info("GPU:0")["peak"]


class Backend(Runtime):
    traits = TRAITS

    def multi_step(self, model, batches):
        """K steps in one `tf.function` (a `tf.range` loop; XLA-compiled where the model is): one call, one sync."""
        xs = tf.stack([x for x, _ in batches])
        ys = tf.stack([y for _, y in batches])
        n = len(batches)

        @tf.function(jit_compile=bool(model.jit_compile), reduce_retracing=True)
        def steps(k):
            loss = tf.constant(0.0)
            for i in tf.range(k):
                loss = tf.cast(model.train_step((xs[i % n], ys[i % n]))["loss"], tf.float32)
            return loss

        return lambda k: float(steps(tf.constant(k, dtype=tf.int32)))  # float(): the round's one host sync

    def compiled(self, fn, jit):
        return tf.function(fn, jit_compile=jit == "on")

    def compiles_graphs(self, jit):
        return True  # tf.function, with XLA or not

    def with_gradients(self, fn, wrt):
        def call(*args):
            *xs, cotangent = args
            with tf.GradientTape() as tape:
                for i in wrt:
                    tape.watch(xs[i])
                y = fn(*xs)
            return [y, *tape.gradient(y, [xs[i] for i in wrt], output_gradients=cotangent)]

        return call

    def tf32_allowed(self) -> bool:
        return bool(tf.config.experimental.tensor_float_32_execution_enabled())

    @contextlib.contextmanager
    def strict_float32(self):
        previous = tf.config.experimental.tensor_float_32_execution_enabled()
        tf.config.experimental.enable_tensor_float_32_execution(False)
        try:
            yield
        finally:
            tf.config.experimental.enable_tensor_float_32_execution(previous)

    def device_facts(self, info) -> None:
        info.devices_seen = [f"{d.device_type}:{d.name.split(':')[-1]}" for d in tf.config.list_physical_devices()]
        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            cc = details.get("compute_capability")
            info.gpus.append(GpuInfo(details.get("device_name", gpu.name), ".".join(map(str, cc)) if cc else None))
        build = tf.sysconfig.get_build_info()
        info.cuda_build_version = cuda_version(build.get("cuda_version"))
        info.cudnn_build_version = cudnn_version(build.get("cudnn_version"))
        info.versions[self.name] = tf.__version__

    def gpu_memory(self) -> GpuMemory:
        return TensorflowGpu()

    def op_fusion_off(self) -> None:
        """Grappler's remapper off: MatMul+BiasAdd stay two kernels (the diagnosis of a crawling fused kernel)."""
        tf.config.optimizer.set_experimental_options({"remapping": False})
