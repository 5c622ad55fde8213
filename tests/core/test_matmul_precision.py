"""The float32 baseline variants: parsing, resolution per device, and the TF32 switch per backend."""

import pytest

from mpmodel.core.matmul_precision import (
    float32_matmuls,
    parse_fp32_list,
    resolve_variants,
    tf32_allowed,
)


def test_variants_parse_in_order_and_auto_stays_auto():
    assert parse_fp32_list("strict, default") == ("default", "strict")
    assert parse_fp32_list("auto") == ("auto",)
    with pytest.raises(ValueError, match="unknown float32 variant 'tf16'"):
        parse_fp32_list("default,tf16")
    with pytest.raises(ValueError, match="no float32 variant"):
        parse_fp32_list("")


def test_auto_means_both_on_a_gpu_and_the_default_on_a_cpu():
    assert resolve_variants(("auto",), tf32_capable=True) == ("default", "strict")
    assert resolve_variants(("auto",), tf32_capable=False) == ("default",)  # a CPU, or a GPU before Ampere
    assert resolve_variants(("strict",), tf32_capable=False) == ("strict",)  # asked for: kept
    # PyTorch's default already has TF32 off: strict would repeat it (measured on an H200, 23.7 vs 24.2 ms)
    assert resolve_variants(("auto",), tf32_capable=True, default_is_tf32=False) == ("default",)
    assert resolve_variants(("auto",), tf32_capable=True, default_is_tf32=None) == ("default", "strict")  # unread
    assert resolve_variants(("default", "strict"), tf32_capable=True, default_is_tf32=False) == ("default", "strict")


@pytest.mark.parametrize("backend", ["tensorflow", "torch", "jax"])
def test_strict_turns_tf32_off_inside_and_restores_it(backend):
    pytest.importorskip(backend, reason=f"{backend} is not installed in this environment")
    before = tf32_allowed(backend)
    with float32_matmuls("strict", backend):
        assert tf32_allowed(backend) is False
    assert tf32_allowed(backend) == before
    with float32_matmuls("default", backend):
        assert tf32_allowed(backend) == before


def test_framework_defaults_differ_as_documented():
    if pytest.importorskip("torch", reason="torch is not installed in this environment"):
        assert tf32_allowed("torch") is False  # PyTorch has kept TF32 matmuls off by default since 1.12


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="unknown float32 variant"), float32_matmuls("loose", "tensorflow"):
        pass
