"""The step's kernels: the shapes a training step multiplies and convolves, and timing them alone on each backend."""

import os
import subprocess
import sys

import pytest

from mpmodel.core.profiles import flops_per_step, get_profile, step_matmuls

CHECK = """
from mpmodel.core.profiles import get_profile, step_matmuls
from mpmodel.core.kernels import from_matmuls
from mpmodel.core.speed_of_light import kernel_runner
shapes = step_matmuls(get_profile("tiny"))
for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
    for jit in ("off", "on"):
        run = kernel_runner(from_matmuls(shapes), policy, jit)
        run(1)
        run(3)  # a second k: a fused loop compiles once per k
try:
    kernel_runner(from_matmuls(shapes), "float32", "auto")
except ValueError as exc:
    assert "resolve it to on or off first" in str(exc)
else:
    raise AssertionError("kernel_runner took an unresolved compile mode")
from mpmodel.core.kernels import attention, conv, flops
from mpmodel.core.speed_of_light import kernel_runner
kernels = [conv("stem", 2, 8, 8, 3, 4, 3, first=True), conv("inner", 2, 8, 8, 4, 4, 3), attention("a", 2, 2, 8, 4)]
for policy in ("float32", "mixed_bfloat16"):
    run = kernel_runner(kernels, policy, "off")
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


@pytest.mark.framework
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


@pytest.mark.framework
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_the_kernels_run_in_every_dtype_and_compile_mode(backend):
    run_under(backend, CHECK)


def test_operands_are_distributed_and_laid_out_as_the_steps():
    """Activations after ReLU are half zeros, gradients at the loss's scale (times float16's loss scale), and the
    backward products read the stored tensors transposed, as the step's backward pass does."""
    import numpy as np

    from mpmodel.core.kernels import attention, conv, from_matmuls
    from mpmodel.core.speed_of_light import UNIFORM_OPERANDS, operands

    forward, weight_grad, input_grad = from_matmuls([("layer 2 forward", 512, 256, 128),
                                                     ("layer 2 weight gradient", 256, 512, 128),
                                                     ("layer 2 input gradient", 512, 128, 256)])
    rng = np.random.default_rng(0)
    (x, w), layout = operands(forward, rng)
    assert layout == (False, False) and x.shape == (512, 256) and w.shape == (256, 128)
    assert 0.45 < np.mean(x == 0) < 0.55 and x.min() == 0
    assert np.abs(w).max() <= np.sqrt(6 / (256 + 128))
    (x, dy), layout = operands(weight_grad, rng)
    assert layout == (True, False) and x.shape == (512, 256) and dy.shape == (512, 128)  # x stored (rows, in)
    assert 0.45 < np.mean(dy == 0) < 0.55 and np.abs(dy).max() < 10 / 512
    (dy, w), layout = operands(input_grad, rng)
    assert layout == (False, True) and dy.shape == (512, 128) and w.shape == (256, 128)  # W stored (in, out)
    (_, dy16), _ = operands(weight_grad, np.random.default_rng(1), policy="mixed_float16")
    (_, dy32), _ = operands(weight_grad, np.random.default_rng(1), policy="float32")
    assert np.allclose(dy16, dy32 * 2 ** 15)
    (x, w, cot), _ = operands(conv("c", 2, 8, 8, 4, 6, 3), rng)
    assert x.shape == (2, 8, 8, 4) and w.shape == (3, 3, 4, 6) and cot.shape == (2, 8, 8, 6) and x.min() == 0
    assert [a.shape for a in operands(attention("a", 2, 4, 8, 16), rng)[0]] == [(2, 8, 4, 16)] * 4
    (a, b), layout = operands(weight_grad, rng, UNIFORM_OPERANDS)
    assert layout == (False, False) and a.shape == (256, 512) and a.min() < 0
    with pytest.raises(ValueError, match="operand style 'sparse'"):
        operands(forward, rng, "sparse")


PRODUCTS = """
import keras, numpy as np
from mpmodel.core.backends import runtime
from mpmodel.core.kernels import from_matmuls
from mpmodel.core.speed_of_light import kernel_call
a, b = np.arange(6, dtype=np.float32).reshape(3, 2), np.arange(12, dtype=np.float32).reshape(3, 4)
weight_grad = from_matmuls([("layer 2 weight gradient", 2, 3, 4)])[0]
out = kernel_call(weight_grad, runtime(), (True, False))(keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(b))
assert np.allclose(keras.ops.convert_to_numpy(out), a.T @ b)
print("ok")
"""


@pytest.mark.framework
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_a_transposed_operand_is_multiplied_as_stored(backend):
    run_under(backend, PRODUCTS)


HOISTED = """
from mpmodel.core.kernels import conv, from_matmuls
from mpmodel.core.speed_of_light import kernel_runner
kernels = from_matmuls([("layer 2 forward", 64, 32, 16), ("layer 2 input gradient", 64, 16, 32)]) + [conv("c", 2, 8, 8, 4, 4, 3)]
run = kernel_runner(kernels, "mixed_bfloat16", "on")
run(3)
text = run.loop(3).lower(*run.args).compile().as_text()
entry = next(block for block in text.split("\\n\\n") if block.strip().startswith("ENTRY"))
assert "while(" in entry, entry[:2000]
inside = text.count(" dot(") + text.count(" convolution(") + text.count("custom-call(")
outside = entry.count(" dot(") + entry.count(" convolution(") + entry.count("custom-call(")
assert inside >= 5 and outside == 0, (inside, outside, entry[:3000])  # every product runs in the loop, none hoisted
print("ok")
"""


@pytest.mark.framework
def test_the_kernels_loop_keeps_every_product_inside_it():
    """XLA hoists loop-invariant work: without the carried dependency on every operand, a convolution's input
    gradient (weights and cotangent alone) left the loop and ran once for K iterations."""
    run_under("jax", HOISTED)
