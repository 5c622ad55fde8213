"""Step memory: the analytic least a step holds, the host reader's /proc figures, the step-peak readers."""

import pytest

from mpmodel.core.memory import Analytic, HostMemory, StepMemory, analytic_bytes, reader_for, status_kib
from mpmodel.core.profiles import get_profile

TINY = get_profile("tiny")  # 64 units, batch 128


def test_analytic_bytes_count_weights_slots_copies_gradients_and_activations():
    params = 784 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10
    f32 = analytic_bytes(TINY, "float32")
    assert f32 == Analytic(resting_bytes=params * 4 * 2,  # weights and RMSprop's one slot
                           step_bytes=params * 4 + 128 * (64 + 64 + 10) * 4 + 2 * 128 * 64 * 4)
    bf16 = analytic_bytes(TINY, "mixed_bfloat16")
    assert bf16.resting_bytes == f32.resting_bytes  # the float32 master weights stay
    assert bf16.step_bytes == params * 2 + params * 4 + 128 * 784 * 2 + 128 * (64 + 64 + 10) * 2 + 2 * 128 * 64 * 2
    assert analytic_bytes(TINY, "mixed_float16") == bf16


def test_at_the_seed_profile_a_mixed_step_holds_two_thirds_of_float32s():
    seed = get_profile("seed")
    ratio = analytic_bytes(seed, "mixed_bfloat16").step_bytes / analytic_bytes(seed, "float32").step_bytes
    assert ratio == pytest.approx(0.65, abs=0.01)


def test_status_fields_read_in_bytes_and_a_missing_one_is_an_error():
    text = "Name:\tpython\nVmHWM:\t  218524 kB\nVmRSS:\t   13936 kB\n"
    assert status_kib("VmRSS", text) == 13936 * 1024
    assert status_kib("VmHWM", text) == 218524 * 1024
    with pytest.raises(OSError, match="no VmSwap"):
        status_kib("VmSwap", text)


def test_the_host_reader_sees_a_step_sized_allocation_above_the_resting_set():
    reader = reader_for(gpu=False)
    assert isinstance(reader, HostMemory)
    at_rest = reader.settle()
    reader.reset_peak()
    block = bytearray(64 * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    del block
    grew = reader.peak() - at_rest
    assert 60 * 2**20 <= grew <= 80 * 2**20, grew


def test_a_step_memory_reports_the_median_peak():
    assert StepMemory("float32", 10, [5, 9, 7, 100, 6]).peak == 7
