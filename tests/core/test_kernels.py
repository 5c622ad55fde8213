"""A step's kernels and their FLOPs: matmuls, convolutions and attention, counted by hand."""

import pytest

from mpmodel.core.kernels import (
    ATTENTION,
    CONV,
    FORWARD,
    INPUT_GRADIENT,
    WEIGHT_GRADIENT,
    attention,
    conv,
    flops,
    from_matmuls,
    matmul,
)


def test_a_matmul_is_two_flops_per_multiply_add():
    assert matmul("x", 3, 5, 7).flops == 2 * 3 * 5 * 7
    assert matmul("batched", 3, 5, 7, batch=4).flops == 4 * 2 * 3 * 5 * 7
    assert [k.shape for k in from_matmuls([("a", 2, 3, 4)])] == [(1, 2, 3, 4)]


def test_a_convolution_counts_each_pass_and_the_first_layer_has_no_input_gradient():
    inner = conv("c", n=2, h=4, w=5, c_in=3, c_out=6, k=3)
    per_pass = 2 * (2 * 4 * 5) * (3 * 3 * 3) * 6  # output pixels x window x c_in, times c_out
    assert inner.op == CONV and inner.passes == (FORWARD, WEIGHT_GRADIENT, INPUT_GRADIENT)
    assert inner.flops == 3 * per_pass == 38_880
    first = conv("stem", n=2, h=4, w=5, c_in=3, c_out=6, k=3, first=True)
    assert first.passes == (FORWARD, WEIGHT_GRADIENT) and first.flops == 2 * per_pass


def test_attention_counts_qk_and_av_forward_and_four_products_backward():
    k = attention("a", batch=2, heads=3, length=5, head_dim=4)
    forward = 2 * 2 * (2 * 3 * 5 * 5 * 4)  # QK^T and AV, each batch x heads x length^2 x head_dim multiply-adds
    assert k.op == ATTENTION and k.flops == forward + 2 * forward == 7_200


@pytest.mark.parametrize("kernels, total", [([], 0), ([matmul("a", 1, 2, 3), matmul("b", 4, 5, 6)], 12 + 240)])
def test_flops_sum_over_kernels(kernels, total):
    assert flops(kernels) == total
