"""The float32 baseline's two variants: the framework's default, and strict float32 (TF32 off).

On NVIDIA GPUs from Ampere on, float32 matmuls may run as TF32 (10-bit mantissa) on tensor
cores. TensorFlow and JAX allow it by default, PyTorch does not. Against a TF32 baseline a
mixed policy gains about 2x at peak; against strict float32, far more. The suite runs the
variants as a test axis (`--mp-fp32`) and records the TF32 state each test ran under. Each backend's own
switch is its runtime's (`mpmodel.core.backends`).
"""

from __future__ import annotations

import contextlib

from mpmodel.core.backends import runtime
from mpmodel.core.parsing import parse_choices

FP32_VARIANTS = ("default", "strict")


def parse_fp32_list(text: str) -> tuple[str, ...]:
    """'default,strict', 'strict' or 'auto' -> variants in FP32_VARIANTS order ('auto' is kept)."""
    if str(text).strip().lower() == "auto":
        return ("auto",)
    return parse_choices(text, FP32_VARIANTS, "float32 variant", f"valid: auto, {', '.join(FP32_VARIANTS)}", lower=True)


def resolve_variants(variants: tuple[str, ...], tf32_capable: bool, default_is_tf32: bool | None = True) -> tuple[str, ...]:
    """'auto': both variants where the default runs float32 matmuls as TF32 on a GPU that has it (compute
    capability 8.0 and newer); only the default elsewhere, where `strict` would time the very same float32
    twice: a CPU, a Volta or Turing GPU, or a backend whose default already has TF32 off (PyTorch: on an
    H200 its default and strict float32 steps measured 23.7 and 24.2 ms, the same matmuls)."""
    if variants == ("auto",):
        return FP32_VARIANTS if tf32_capable and default_is_tf32 is not False else ("default",)
    return variants


def tf32_allowed(backend: str | None = None) -> bool:
    """Whether the backend (by default the one in use) lets float32 matmuls run as TF32 now, on hardware that has it."""
    return runtime(backend).tf32_allowed()


@contextlib.contextmanager
def float32_matmuls(variant: str, backend: str | None = None):
    """Run the block with the variant's float32 matmul precision on the backend (by default the one in use),
    restoring the previous one."""
    if variant == "default":
        yield
        return
    if variant != "strict":
        raise ValueError(f"unknown float32 variant {variant!r}")
    with runtime(backend).strict_float32():
        yield
