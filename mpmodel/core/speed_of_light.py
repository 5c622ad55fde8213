"""The step's speed of light: its own matmuls, alone, in one compute dtype, on the backend that runs the step.

A training step of the seed's model is almost all matmuls (`profiles.step_matmuls`). Timed alone,
at the step's shapes and in the dtype a policy computes in, they say what this device's kernels reach
(`matmul_tflops`) and how fast the step could be at best. `matmul_runner` builds one call
that does every matmul of one step through `keras.ops.matmul` (XLA-compiled where the model is, under
TensorFlow and JAX; eager under PyTorch, whose torch.compile would call the same kernels) and returns
`run(k)`: k such calls back to back, the host synced once after the last. The float32 variant (TF32
or strict) is whatever is in force when `run` is called, so the caller times float32 under the same
setting as its step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mpmodel.core.backends import runtime


def operands(shapes, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(A, B) for each (role, m, k, n), uniform in [-1, 1), float32 on the host."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, (m, k)).astype(np.float32), rng.uniform(-1, 1, (k, n)).astype(np.float32))
            for _, m, k, n in shapes]


def matmul_runner(shapes, policy: str, jit_compile: bool) -> Callable[[int], None]:
    """`run(k)`: the step's matmuls k times in `policy`'s compute dtype, one host sync at the end.

    The products go through `keras.ops.matmul`, the call the model's Dense layers make, so each backend
    takes the path the step takes (Keras's PyTorch backend, for one, computes float16 matmuls on a CPU
    in float32: PyTorch's own CPU float16 kernels run at under 0.01 TFLOP/s)."""
    import keras  # noqa: PLC0415 (Keras and its backend load when the matmuls are built, not when the suite's conftest imports this)

    backend = runtime()  # UnsupportedBackend names the supported ones
    dtype = keras.DTypePolicy(policy).compute_dtype  # what the model's layers compute in under `policy`
    args = [keras.ops.cast(keras.ops.convert_to_tensor(x), dtype) for pair in operands(shapes) for x in pair]

    def products(*xs):
        return [keras.ops.matmul(xs[i], xs[i + 1]) for i in range(0, len(xs), 2)]

    step = backend.compiled(products, jit_compile)

    def run(k):
        out = None
        for _ in range(k):
            out = step(*args)
        keras.ops.convert_to_numpy(out[-1][:1, :1])  # the host waits for the last product, so for all before it

    return run

