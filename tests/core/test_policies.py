import pytest

from mpmodel.core.policies import MIXED_POLICIES, POLICIES, parse_policy_list, validate_policy


def test_the_three_policies():
    assert POLICIES == ("float32", "mixed_float16", "mixed_bfloat16")
    assert set(MIXED_POLICIES) == {"mixed_float16", "mixed_bfloat16"}


def test_unknown_policy_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown policy 'float16'; valid policies: float32, mixed_float16, mixed_bfloat16"):
        validate_policy("float16")


def test_policy_list_is_validated_and_ordered():
    assert parse_policy_list(" mixed_bfloat16 ,float32") == ("float32", "mixed_bfloat16")
    with pytest.raises(ValueError, match="bf16"):
        parse_policy_list("float32,bf16")
    with pytest.raises(ValueError, match="no policy"):
        parse_policy_list(" , ")


def test_jit_modes_parse_in_table_order():
    from mpmodel.core.policies import keras_jit_compile, parse_jit_list

    assert parse_jit_list("off, AUTO") == ("auto", "off")
    assert [keras_jit_compile(m) for m in ("auto", "on", "off")] == ["auto", True, False]
    with pytest.raises(ValueError, match="unknown compile mode 'xla'; valid modes: auto, on, off"):
        parse_jit_list("auto,xla")
    with pytest.raises(ValueError, match="no compile mode"):
        parse_jit_list(" , ")


@pytest.mark.parametrize("mode,backend,gpu,compiled", [
    ("auto", "jax", False, True), ("auto", "tensorflow", False, False), ("auto", "tensorflow", True, True),
    ("auto", "torch", True, False), ("on", "torch", False, True), ("off", "jax", True, False)])
def test_expected_jit_compile_follows_keras(mode, backend, gpu, compiled):
    from mpmodel.core.policies import expected_jit_compile

    assert expected_jit_compile(mode, backend, gpu) is compiled

