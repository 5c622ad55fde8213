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


@pytest.mark.parametrize("mode,backend,gpu,resolved", [
    ("auto", "jax", False, "on"), ("auto", "tensorflow", False, "off"), ("auto", "tensorflow", True, "on"),
    ("auto", "torch", True, "off"), ("on", "torch", False, "on"), ("off", "jax", True, "off")])
def test_resolve_jit_follows_keras(mode, backend, gpu, resolved):
    from mpmodel.core.policies import resolve_jit

    assert resolve_jit(mode, backend, gpu) == resolved


def test_step_key_files_a_mixed_step_under_any_float32_variant():
    from mpmodel.core.step_key import ANY_VARIANT, StepKey

    key = StepKey("mixed_bfloat16", "auto", "tf32")
    assert key.same_step() == StepKey("mixed_bfloat16", "auto", ANY_VARIANT)
    assert key.float32.same_step("off") == StepKey("float32", "off", "tf32")
    assert key.float32.describe() == "float32 (jit auto, float32 tf32)" and key.describe() == "mixed_bfloat16 (jit auto)"
    with pytest.raises(ValueError, match="compile mode 'xla'"):
        StepKey("float32", "xla", "default")

