"""The float32 baseline's two variants: the framework's default, and strict float32 (TF32 off).

On NVIDIA GPUs from Ampere on, float32 matmuls may run as TF32 (10-bit mantissa) on tensor
cores. TensorFlow and JAX allow it by default, PyTorch does not. Against a TF32 baseline a
mixed policy gains about 2x at peak; against strict float32, far more. The suite runs the
variants as a test axis (`--mp-fp32`) and records the TF32 state each test ran under.
"""

from __future__ import annotations

import contextlib

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


def tf32_allowed(backend: str) -> bool:
    """Whether the backend currently lets float32 matmuls run as TF32 (on hardware that has it)."""
    if backend == "tensorflow":
        import tensorflow as tf  # noqa: PLC0415 (only the Keras backend in use is loaded)

        return bool(tf.config.experimental.tensor_float_32_execution_enabled())
    if backend == "torch":
        import torch  # noqa: PLC0415 (only the Keras backend in use is loaded)

        return torch_tf32_allowed(torch.backends)
    if backend == "jax":
        import jax  # noqa: PLC0415 (only the Keras backend in use is loaded)

        return jax.config.jax_default_matmul_precision not in ("highest", "float32")
    return False


# PyTorch 2.9 added per-backend `fp32_precision` ("ieee", "tf32", or "none": inherit) beside the legacy
# `allow_tf32` flags; once the new API set "tf32", reading `allow_tf32` raises. Where it exists, only
# the new API is used: read there first, switched there.
TORCH_IEEE, TORCH_TF32 = "ieee", "tf32"


def torch_tf32_allowed(backends) -> bool:
    """Whether PyTorch float32 matmuls may run as TF32, through whichever API this PyTorch has."""
    matmul = backends.cuda.matmul
    for precision in (getattr(matmul, "fp32_precision", None), getattr(backends, "fp32_precision", None)):
        if precision in (TORCH_IEEE, TORCH_TF32):
            return precision == TORCH_TF32
    return bool(matmul.allow_tf32)


@contextlib.contextmanager
def torch_strict_float32(backends):
    """TF32 off for matmuls and cuDNN convolutions, through the new API where it exists."""
    if hasattr(backends.cuda.matmul, "fp32_precision"):
        targets = [backends.cuda.matmul] + [t for t in (getattr(backends.cudnn, "conv", None),) if t is not None]
        previous = [t.fp32_precision for t in targets]
        for t in targets:
            t.fp32_precision = TORCH_IEEE
        try:
            yield
        finally:
            for t, value in zip(targets, previous, strict=True):
                t.fp32_precision = value
        return
    previous = (backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32)
    backends.cuda.matmul.allow_tf32 = backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32 = previous


@contextlib.contextmanager
def float32_matmuls(variant: str, backend: str):
    """Run the block with the variant's float32 matmul precision, restoring the previous one."""
    if variant == "default":
        yield
        return
    if variant != "strict":
        raise ValueError(f"unknown float32 variant {variant!r}")
    if backend == "tensorflow":
        import tensorflow as tf  # noqa: PLC0415 (only the Keras backend in use is loaded)

        previous = tf.config.experimental.tensor_float_32_execution_enabled()
        tf.config.experimental.enable_tensor_float_32_execution(False)
        try:
            yield
        finally:
            tf.config.experimental.enable_tensor_float_32_execution(previous)
    elif backend == "torch":
        import torch  # noqa: PLC0415 (only the Keras backend in use is loaded)

        with torch_strict_float32(torch.backends):
            yield
    elif backend == "jax":
        import jax  # noqa: PLC0415 (only the Keras backend in use is loaded)

        with jax.default_matmul_precision("float32"):
            yield
    else:
        yield
