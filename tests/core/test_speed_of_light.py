"""The step's kernels: the shapes a training step multiplies and convolves, and timing them alone on each backend."""

import os
import subprocess
import sys

import pytest

from mpmodel.core.profiles import flops_per_step, get_profile, step_matmuls

CHECK = """
import time
from mpmodel.core.profiles import get_profile, step_matmuls
from mpmodel.core.kernels import from_matmuls
from mpmodel.core.speed_of_light import kernel_runner
shapes = step_matmuls(get_profile("tiny"))
for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
    for jit in (False, True):
        run = kernel_runner(from_matmuls(shapes), policy, jit)
        run(1)
        start = time.perf_counter(); run(3); elapsed = time.perf_counter() - start
        assert elapsed > 0
from mpmodel.core.kernels import attention, conv, flops
from mpmodel.core.speed_of_light import kernel_runner
kernels = [conv("stem", 2, 8, 8, 3, 4, 3, first=True), conv("inner", 2, 8, 8, 4, 4, 3), attention("a", 2, 2, 8, 4)]
for policy in ("float32", "mixed_bfloat16"):
    run = kernel_runner(kernels, policy, False)
    run(1)
    run(2)
print("ok")
"""

GRADIENTS = """
import keras, numpy as np
from mpmodel.core.backends import runtime
x, w, cot = (keras.ops.convert_to_tensor(np.array(v, np.float32)) for v in ([1., 2.], [3., 4.], [5., 6.]))
y, dx, dw = runtime().with_gradients(lambda a, b: a * b, (0, 1))(x, w, cot)
assert np.allclose(keras.ops.convert_to_numpy(y), [3., 8.]) and np.allclose(keras.ops.convert_to_numpy(dx), [15., 24.])
assert np.allclose(keras.ops.convert_to_numpy(dw), [5., 12.])
y, dw = runtime().with_gradients(lambda a, b: a * b, (1,))(x, w, cot)  # the first layer: its input needs no gradient
assert np.allclose(keras.ops.convert_to_numpy(dw), [5., 12.])
print("ok")
"""


def run_under(backend: str, script: str) -> None:
    """`script` in a fresh process under Keras backend `backend`; it must print ok."""
    pytest.importorskip(backend, reason=f"{backend} is not installed in this environment")
    proc = subprocess.run([sys.executable, "-c", script], env={**os.environ, "KERAS_BACKEND": backend},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-3000:]


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_each_backend_pulls_gradients_back_from_a_cotangent(backend):
    run_under(backend, GRADIENTS)


def test_the_step_multiplies_forward_weight_and_input_gradients_but_not_the_images_gradient():
    shapes = step_matmuls(get_profile("small"))
    assert [role for role, *_ in shapes] == [
        "layer 1 forward", "layer 1 weight gradient",
        "layer 2 forward", "layer 2 weight gradient", "layer 2 input gradient",
        "layer 3 forward", "layer 3 weight gradient", "layer 3 input gradient"]
    assert shapes[1][1:] == (784, 2048, 1024)  # dW1 = X^T dY: (784 x 2048) @ (2048 x 1024)
    assert shapes[4][1:] == (2048, 1024, 1024)  # dX2 = dY W2^T
    assert sum(2 * m * k * n for _, m, k, n in shapes) == flops_per_step(get_profile("small")) == 19_587_399_680


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_the_kernels_run_in_every_dtype_and_compile_mode(backend):
    run_under(backend, CHECK)
