import pytest

from mpmodel.policies import MIXED_POLICIES, POLICIES, parse_policy_list, validate_policy


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
