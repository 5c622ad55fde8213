"""The planted accuracy defect (studies/planted_accuracy.py) damages the mixed policies it names, float32 never."""

from types import SimpleNamespace

import pytest

from conftest import import_study

planted_accuracy = import_study("planted_accuracy")


def model(policy):
    return SimpleNamespace(dtype_policy=SimpleNamespace(name=policy))


@pytest.mark.parametrize("value,damaged", [
    (None, {"mixed_float16", "mixed_bfloat16"}),
    ("", {"mixed_float16", "mixed_bfloat16"}),
    ("mixed_float16", {"mixed_float16"}),
    (" mixed_bfloat16, float32 ", {"mixed_bfloat16"}),  # float32 stays the baseline even where named
])
def test_only_the_named_mixed_policies_are_damaged(monkeypatch, value, damaged):
    hit = []
    monkeypatch.setattr(planted_accuracy, "damage", lambda m, shift: hit.append((m.dtype_policy.name, shift)))
    monkeypatch.setattr(planted_accuracy, "_original_evaluate", lambda m, data, batch: (0.0, 1.0))
    evaluate = planted_accuracy._damaged_evaluate(2.6, planted_accuracy.planted_policies(value))
    for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
        assert evaluate(model(policy), None, 128) == (0.0, 1.0)
    assert hit == [(p, 2.6) for p in ("mixed_float16", "mixed_bfloat16") if p in damaged]
