"""Datasheet peaks: whole-word model matching, the math a policy runs in, no figure where none is known."""

import pytest

from conftest import import_study

_sheet = import_study("datasheet")  # studies/datasheet.py: the GPU check's table reads it, the suite does not
BF16, FP16, FP32, TF32 = _sheet.BF16, _sheet.FP16, _sheet.FP32, _sheet.TF32
datasheet_for, datasheet_peak, math_mode = _sheet.datasheet_for, _sheet.datasheet_peak, _sheet.math_mode


@pytest.mark.parametrize("name, product", [
    ("NVIDIA H100 80GB HBM3", "H100 SXM"), ("NVIDIA H100 PCIe", "H100 PCIe"), ("NVIDIA H100 NVL", "H100 NVL"),
    ("NVIDIA H200", "H200 SXM"), ("NVIDIA H200 NVL", "H200 NVL"), ("NVIDIA A100-SXM4-80GB", "A100"),
    ("NVIDIA A100 80GB PCIe", "A100"), ("NVIDIA L4", "L4"), ("NVIDIA L40S", "L40S"), ("NVIDIA A10", "A10"),
    ("Tesla T4", "T4"), ("Tesla V100-SXM2-16GB", "V100 SXM2"),
])
def test_model_names_as_drivers_report_them_find_their_datasheet(name, product):
    assert datasheet_for(name).product == product


@pytest.mark.parametrize("name", ["NVIDIA A10G", "NVIDIA GH200 480GB", "NVIDIA GeForce RTX 4090", "", None])
def test_a_model_without_a_datasheet_entry_gets_none_not_a_neighbour(name):
    assert datasheet_for(name) is None
    assert datasheet_peak(name, "mixed_bfloat16", None) is None


def test_policy_and_tf32_pick_the_math_mode():
    assert math_mode("float32", True) == TF32
    assert math_mode("float32", False) == FP32
    assert math_mode("float32", None) == FP32
    assert math_mode("mixed_bfloat16", None) == BF16
    assert math_mode("mixed_float16", False) == FP16


def test_peaks_are_dense_figures_and_missing_modes_stay_missing():
    assert datasheet_peak("NVIDIA H100 80GB HBM3", "mixed_bfloat16", None) == ("H100 SXM", 989.4)
    assert datasheet_peak("NVIDIA H100 80GB HBM3", "float32", True) == ("H100 SXM", 494.7)
    assert datasheet_peak("Tesla T4", "mixed_bfloat16", None) is None  # Turing has no bf16 tensor cores
    assert datasheet_peak("Tesla T4", "float32", True) is None  # nor TF32
    assert datasheet_peak("Tesla T4", "mixed_float16", None) == ("T4", 65.0)
