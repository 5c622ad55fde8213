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


def resolve_variants(variants: tuple[str, ...], gpu_visible: bool) -> tuple[str, ...]:
    """'auto': both variants where a GPU can run TF32, only the default on a CPU (which has no TF32)."""
    if variants == ("auto",):
        return FP32_VARIANTS if gpu_visible else ("default",)
    return variants


def tf32_allowed(backend: str) -> bool:
    """Whether the backend currently lets float32 matmuls run as TF32 (on hardware that has it)."""
    if backend == "tensorflow":
        import tensorflow as tf  # noqa: PLC0415 (only the Keras backend in use is loaded)

        return bool(tf.config.experimental.tensor_float_32_execution_enabled())
    if backend == "torch":
        import torch  # noqa: PLC0415 (only the Keras backend in use is loaded)

        return bool(torch.backends.cuda.matmul.allow_tf32)
    if backend == "jax":
        import jax  # noqa: PLC0415 (only the Keras backend in use is loaded)

        return jax.config.jax_default_matmul_precision not in ("highest", "float32")
    return False


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

        previous = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = previous
    elif backend == "jax":
        import jax  # noqa: PLC0415 (only the Keras backend in use is loaded)

        with jax.default_matmul_precision("float32"):
            yield
    else:
        yield
