"""The step's speed of light: its own kernels, alone, in one compute dtype, on the backend that runs the step,
the way the step runs them.

A training step is almost all matmuls and convolutions (the workload's `step_kernels`). Timed alone, at the
step's shapes and in the dtype a policy computes in, they say what this device's kernels reach and how fast the
step could be at best. `kernel_runner` builds one call that does every kernel of one step through the op the
model's layers call: `keras.ops.matmul` (Dense), `keras.ops.conv` (Conv2D) and `keras.ops.dot_product_attention`
(MultiHeadAttention), the gradients of the last two by the framework's own autodiff (`Runtime.with_gradients`).

So that the bound holds (a step must not beat it), the kernels run as the step runs them:
- operands like the step's (`STEP_OPERANDS`): activations after ReLU (half zeros), weights at Glorot's scale,
  gradients at the loss's scale (1/rows, times the loss scale under mixed_float16) and half zeros where ReLU's
  mask fell; a weight gradient reads its activations transposed and an input gradient its weights transposed,
  as the step's backward pass does. `UNIFORM_OPERANDS` (uniform in [-1, 1), contiguous) is kept for studies.
- with `fused` (the suite asks for it on a GPU), where the backend compiles the step into a graph (TensorFlow's
  tf.function, JAX's jit), K calls are one compiled loop (`keras.ops.fori_loop`) with a carried dependency:
  every operand's corner element is touched by the last iteration's results, below rounding, so nothing can be
  hoisted out of the loop, and no call pays a dispatch the step does not. On a CPU, where a call's dispatch is
  nothing beside a 100 ms step, the touches cost more than they save (TensorFlow's scatter copies each operand
  every iteration; measured 14-16% on the small MLP's float32 kernels under TensorFlow and JAX).
  PyTorch's eager step dispatches each op from Python, and so do its kernels here.
`run(k)` does k such steps' kernels, the host synced once after the last. The float32 variant (TF32 or strict)
is whatever is in force when `run` is called, so the caller times float32 under the same setting as its step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mpmodel.core.backends import runtime
from mpmodel.core.kernels import ATTENTION, CONV, FORWARD, INPUT_GRADIENT, MATMUL, WEIGHT_GRADIENT, Kernel

STEP_OPERANDS, UNIFORM_OPERANDS = "step", "uniform"
OPERAND_STYLES = (STEP_OPERANDS, UNIFORM_OPERANDS)
LOSS_SCALE = {"mixed_float16": 2.0 ** 15}  # Keras's LossScaleOptimizer's initial scale: float16's gradients carry it
CARRY = 1e-30  # the carried dependency's weight: each iteration's results reach the next one's operands, below rounding


def _role_pass(kernel: Kernel) -> str:
    """Which product of a Dense layer a matmul kernel is, from its role's last words ('forward' where unnamed)."""
    for name in (WEIGHT_GRADIENT, INPUT_GRADIENT):
        if kernel.role.endswith(name):
            return name
    return FORWARD


def _uniform(kernel: Kernel, rng: np.random.Generator) -> list[np.ndarray]:
    """The kernel's inputs uniform in [-1, 1), contiguous, as the speed of light drew them before the operands
    were made like the step's; a matmul's drawn A then B."""
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
    return [draw(batch, length, heads, head_dim) for _ in range(count)]


class _StepDraws:
    """Tensors distributed as a training step's: activations, weights and gradients."""

    def __init__(self, rng: np.random.Generator, policy: str):
        self.rng, self.scale = rng, LOSS_SCALE.get(policy, 1.0)

    def activation(self, *shape):
        """After ReLU: half zeros, the rest of unit order."""
        return np.maximum(self.rng.standard_normal(shape, dtype=np.float32), 0)

    def normal(self, *shape):
        """After a normalisation (attention's Q, K, V)."""
        return self.rng.standard_normal(shape, dtype=np.float32)

    def weight(self, fan_in: int, fan_out: int, *shape):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return self.rng.uniform(-limit, limit, shape).astype(np.float32)

    def gradient(self, rows: int, *shape):
        """The loss's gradient at a layer's output: a mean over `rows` (times the loss scale), zero where ReLU was."""
        g = self.rng.standard_normal(shape, dtype=np.float32) * np.float32(self.scale / rows)
        return np.where(self.rng.random(shape) < 0.5, np.float32(0), g)


def _like_step(kernel: Kernel, draws: _StepDraws) -> tuple[list[np.ndarray], tuple[bool, bool]]:
    """The kernel's inputs as the step holds them, and for a matmul whether A and B are read transposed."""
    if kernel.op == MATMUL:
        batch, m, k, n = kernel.shape
        lead = (batch,) if batch > 1 else ()
        product = _role_pass(kernel)
        if product == WEIGHT_GRADIENT:  # dW[i, o] = x[rows, i]^T @ dy[rows, o]
            return [draws.activation(*lead, k, m), draws.gradient(k, *lead, k, n)], (True, False)
        if product == INPUT_GRADIENT:  # dx[rows, i] = dy[rows, o] @ W[i, o]^T
            return [draws.gradient(m, *lead, m, k), draws.weight(n, k, *lead, n, k)], (False, True)
        return [draws.activation(*lead, m, k), draws.weight(k, n, *lead, k, n)], (False, False)
    if kernel.op == CONV:
        n, h, w, c_in, c_out, k = kernel.shape
        rows = n * h * w
        tail = [draws.gradient(rows, n, h, w, c_out)] if len(kernel.passes) > 1 else []
        return [draws.activation(n, h, w, c_in), draws.weight(k * k * c_in, k * k * c_out, k, k, c_in, c_out), *tail], \
            (False, False)
    batch, heads, length, head_dim = kernel.shape
    qkv = [draws.normal(batch, length, heads, head_dim) for _ in range(3)]
    tail = [draws.gradient(batch * length, batch, length, heads, head_dim)] if INPUT_GRADIENT in kernel.passes else []
    return [*qkv, *tail], (False, False)


def operands(kernel: Kernel, rng: np.random.Generator, style: str = STEP_OPERANDS,
             policy: str = "float32") -> tuple[list[np.ndarray], tuple[bool, bool]]:
    """The kernel's inputs (float32 on the host; for a kernel with gradients, the cotangent last) and, for a matmul,
    whether A and B are stored transposed, as the step stores them."""
    if style == UNIFORM_OPERANDS:
        return _uniform(kernel, rng), (False, False)
    if style != STEP_OPERANDS:
        raise ValueError(f"operand style {style!r}: expected one of {', '.join(OPERAND_STYLES)}")
    return _like_step(kernel, _StepDraws(rng, policy))


def kernel_call(kernel: Kernel, backend, transposed: tuple[bool, bool] = (False, False)) -> Callable:
    """The Keras op the layer calls for `kernel`, with the backward kernels the step runs for it."""
    import keras  # noqa: PLC0415 (Keras loads when the kernels are built)

    if kernel.op == MATMUL:
        if not any(transposed):
            return keras.ops.matmul
        ta, tb = transposed

        def product(a, b):  # the transpose folded into the product, as the step's backward pass does
            return keras.ops.matmul(keras.ops.swapaxes(a, -1, -2) if ta else a, keras.ops.swapaxes(b, -1, -2) if tb else b)

        return product
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


def kernel_runner(kernels: list[Kernel], policy: str, jit: str, style: str = STEP_OPERANDS,
                  fused: bool = True) -> Callable[[int], None]:
    """`run(k)`: the step's kernels k times in `policy`'s compute dtype under the resolved compile mode `jit` (on,
    off), one host sync at the end; with `fused`, where the backend compiles graphs, the k iterations are one
    compiled loop with a carried dependency.

    Each goes through the op the model's layers call, so each backend takes the path the step takes (Keras's
    PyTorch backend, for one, computes float16 matmuls on a CPU in float32: PyTorch's own CPU float16 kernels
    run at under 0.01 TFLOP/s)."""
    import keras  # noqa: PLC0415 (Keras and its backend load when the kernels are built, not when the suite's conftest imports this)

    if jit not in ("on", "off"):
        raise ValueError(f"kernel_runner: compile mode {jit!r}: resolve it to on or off first (resolve_jit)")
    backend = runtime()  # UnsupportedBackend names the supported ones
    dtype = keras.DTypePolicy(policy).compute_dtype  # what the model's layers compute in under `policy`
    rng = np.random.default_rng(0)
    drawn = [operands(k, rng, style, policy) for k in kernels]
    calls = [kernel_call(k, backend, transposed) for k, (_, transposed) in zip(kernels, drawn, strict=True)]
    counts = [len(group) for group, _ in drawn]
    starts = list(np.cumsum([0, *counts[:-1]]))
    args = [keras.ops.cast(keras.ops.convert_to_tensor(x), dtype) for group, _ in drawn for x in group]

    def products(*xs):
        out = []
        for call, at, count in zip(calls, starts, counts, strict=True):
            result = call(*xs[at:at + count])
            out.extend(result if isinstance(result, list) else [result])
        return out

    def wait(last):
        keras.ops.convert_to_numpy(keras.ops.reshape(last, (-1,))[:1])  # the host waits for the last kernel, so for all before it

    if not (fused and backend.compiles_graphs(jit)):
        step = backend.compiled(products, jit)

        def run(k):
            out = None
            for _ in range(k):
                out = step(*args)
            wait(out[-1])

        return run

    def body(_i, xs):
        out = products(*xs)
        carried = keras.ops.sum(keras.ops.stack([keras.ops.cast(keras.ops.reshape(o, (-1,))[0], "float32") for o in out]))
        touch = keras.ops.cast(carried * CARRY, dtype)
        touched = []
        for x in xs:  # every operand depends on the last iteration: no product (a convolution's input gradient
            # reads only the weights and the cotangent) can be hoisted out of the loop as invariant
            corner = (0,) * len(x.shape)  # scatter, not slice_update: TensorFlow's is an XLA op, XLA where the step has none
            touched.append(keras.ops.scatter_update(x, [list(corner)], keras.ops.reshape(x[corner] + touch, (1,))))
        return touched

    loops = {}

    def loop(k):
        """The compiled program of k iterations (one per k), for `run` and for inspection."""
        if k not in loops:
            loops[k] = backend.compiled(lambda *xs: keras.ops.fori_loop(0, k, body, list(xs)), jit)
        return loops[k]

    def run(k):
        wait(loop(k)(*args)[0])

    run.loop, run.args = loop, args
    return run
