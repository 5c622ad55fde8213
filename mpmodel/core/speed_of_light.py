"""The step's speed of light: its own kernels, alone, in one compute dtype, on the backend that runs the step.

A training step is almost all matmuls and convolutions (the workload's `step_kernels`). Timed alone, at the
step's shapes and in the dtype a policy computes in, they say what this device's kernels reach and how fast the
step could be at best. `kernel_runner` builds one call that does every kernel of one step through the op the
model's layers call: `keras.ops.matmul` (Dense), `keras.ops.conv` (Conv2D) and `keras.ops.dot_product_attention`
(MultiHeadAttention), the gradients of the last two by the framework's own autodiff (`Runtime.with_gradients`),
XLA-compiled where the model is under TensorFlow and JAX, eager under PyTorch (torch.compile would call the same
kernels). `run(k)` does k such calls back to back, the host synced once after the last. The float32 variant
(TF32 or strict) is whatever is in force when `run` is called, so the caller times float32 under the same
setting as its step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mpmodel.core.backends import runtime
from mpmodel.core.kernels import ATTENTION, CONV, INPUT_GRADIENT, MATMUL, WEIGHT_GRADIENT, Kernel


def operands(kernel: Kernel, rng: np.random.Generator) -> list[np.ndarray]:
    """The kernel's inputs, uniform in [-1, 1), float32 on the host; for a kernel with gradients, the cotangent
    last. A matmul's are drawn A then B, as they always were (the MLP's speeds of light unchanged)."""
    def draw(*shape):
        return rng.uniform(-1, 1, shape).astype(np.float32)

    if kernel.op == MATMUL:
        batch, m, k, n = kernel.shape
        lead = (batch,) if batch > 1 else ()
        return [draw(*lead, m, k), draw(*lead, k, n)]
    if kernel.op == CONV:
        n, h, w, c_in, c_out, k = kernel.shape
        return [draw(n, h, w, c_in), draw(k, k, c_in, c_out), *([draw(n, h, w, c_out)] if len(kernel.passes) > 1 else [])]
    batch, heads, length, head_dim = kernel.shape
    count = 4 if INPUT_GRADIENT in kernel.passes else 3
    return [draw(batch, length, heads, head_dim) for _ in range(count)]  # Q, K, V (and dO), as the layer lays them out


def kernel_call(kernel: Kernel, backend) -> Callable:
    """The Keras op the layer calls for `kernel`, with the backward kernels the step runs for it."""
    import keras  # noqa: PLC0415 (Keras loads when the kernels are built)

    if kernel.op == MATMUL:
        return keras.ops.matmul
    if kernel.op == CONV:
        def forward(x, w):
            return keras.ops.conv(x, w, strides=1, padding="same")

        wrt = tuple(i for i, p in ((1, WEIGHT_GRADIENT), (0, INPUT_GRADIENT)) if p in kernel.passes)
        return backend.with_gradients(forward, tuple(sorted(wrt))) if wrt else forward
    if kernel.op == ATTENTION:
        head_dim = kernel.shape[-1]

        def attend(q, k, v):
            return keras.ops.dot_product_attention(q, k, v, scale=1.0 / head_dim ** 0.5)

        return backend.with_gradients(attend, (0, 1, 2)) if INPUT_GRADIENT in kernel.passes else attend
    raise ValueError(f"kernel {kernel.role}: unknown op {kernel.op!r}")


def kernel_runner(kernels: list[Kernel], policy: str, jit_compile: bool) -> Callable[[int], None]:
    """`run(k)`: the step's kernels k times in `policy`'s compute dtype, one host sync at the end.

    Each goes through the op the model's layers call, so each backend takes the path the step takes (Keras's
    PyTorch backend, for one, computes float16 matmuls on a CPU in float32: PyTorch's own CPU float16 kernels
    run at under 0.01 TFLOP/s)."""
    import keras  # noqa: PLC0415 (Keras and its backend load when the kernels are built, not when the suite's conftest imports this)

    backend = runtime()  # UnsupportedBackend names the supported ones
    dtype = keras.DTypePolicy(policy).compute_dtype  # what the model's layers compute in under `policy`
    rng = np.random.default_rng(0)
    groups = [operands(k, rng) for k in kernels]
    calls = [kernel_call(k, backend) for k in kernels]
    counts = [len(g) for g in groups]
    args = [keras.ops.cast(keras.ops.convert_to_tensor(x), dtype) for g in groups for x in g]

    def products(*xs):
        out, at = [], 0
        for call, count in zip(calls, counts, strict=True):
            result = call(*xs[at:at + count])
            out.extend(result if isinstance(result, list) else [result])
            at += count
        return out

    step = backend.compiled(products, jit_compile)

    def run(k):
        out = None
        for _ in range(k):
            out = step(*args)
        last = out[-1]
        keras.ops.convert_to_numpy(keras.ops.reshape(last, (-1,))[:1])  # the host waits for the last kernel, so for all before it

    return run

