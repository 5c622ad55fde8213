"""The kernels one training step runs, for exact FLOPs and the speed of light.

A `Kernel` is one layer's product in one step: a matmul (one product: a Dense layer's forward pass, its weight
gradient or its input gradient, each its own kernel), a 2-D convolution (stride 1, 'same' padding: its forward
pass and, as the step asks, its weight and input gradients) or scaled dot-product attention (QK^T, the softmax
and AV forward; their gradients for Q, K and V). FLOPs are 2 per multiply-add; elementwise work (bias,
normalisation, activations, the softmax's exponentials, the optimizer) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

MATMUL, CONV, ATTENTION = "matmul", "conv", "attention"
FORWARD, WEIGHT_GRADIENT, INPUT_GRADIENT = "forward", "weight gradient", "input gradient"
CONV_PASSES = (FORWARD, WEIGHT_GRADIENT, INPUT_GRADIENT)


@dataclass(frozen=True)
class Kernel:
    """One product of a step. `shape`: matmul (batch, m, k, n), C[m, n] = A[m, k] @ B[k, n] `batch` times;
    conv (n, h, w, c_in, c_out, k), a k x k window; attention (batch, heads, length, head_dim), self-attention.
    `passes`: what of it the step runs (a conv's forward, weight and input gradients; attention's forward and
    input gradients)."""

    role: str
    op: str
    shape: tuple[int, ...]
    passes: tuple[str, ...] = (FORWARD,)

    @property
    def flops(self) -> int:
        if self.op == MATMUL:
            batch, m, k, n = self.shape
            return 2 * batch * m * k * n * len(self.passes)
        if self.op == CONV:
            n, h, w, c_in, c_out, k = self.shape
            return 2 * n * h * w * k * k * c_in * c_out * len(self.passes)
        batch, heads, length, head_dim = self.shape
        forward = 2 * 2 * batch * heads * length * length * head_dim  # QK^T and AV
        return forward * (1 + 2 * (INPUT_GRADIENT in self.passes))  # backward: dQ, dK, dA and dV, two per product


def matmul(role: str, m: int, k: int, n: int, batch: int = 1) -> Kernel:
    return Kernel(role, MATMUL, (batch, m, k, n))


def conv(role: str, n: int, h: int, w: int, c_in: int, c_out: int, k: int, first: bool = False) -> Kernel:
    """A stride-1 'same' convolution in training: forward, weight gradient, and the input gradient unless it is
    the first layer (whose input, the data, needs none)."""
    passes = (FORWARD, WEIGHT_GRADIENT) if first else CONV_PASSES
    return Kernel(role, CONV, (n, h, w, c_in, c_out, k), passes)


def attention(role: str, batch: int, heads: int, length: int, head_dim: int) -> Kernel:
    """Self-attention in training: forward, and the gradients for Q, K and V."""
    return Kernel(role, ATTENTION, (batch, heads, length, head_dim), (FORWARD, INPUT_GRADIENT))


def from_matmuls(shapes: list[tuple[str, int, int, int]]) -> list[Kernel]:
    """(role, m, k, n) rows as matmul kernels."""
    return [matmul(role, m, k, n) for role, m, k, n in shapes]


def flops(kernels: list[Kernel]) -> int:
    return sum(k.flops for k in kernels)
