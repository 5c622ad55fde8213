"""Out-of-memory errors from every backend are recognised and told with batch, policy and free memory."""

import pytest

from mpmodel.core.profiles import get_profile
from mpmodel.plugin.out_of_memory import host_available, is_out_of_memory, out_of_memory_message, smaller_profiles

pytest_plugins = ("pytester",)


def named(name, base=Exception):
    return type(name, (base,), {})


@pytest.mark.parametrize("exc", [
    named("ResourceExhaustedError")("OOM when allocating tensor with shape[8192,4096] type float"),
    named("OutOfMemoryError", RuntimeError)("CUDA out of memory. Tried to allocate 128.00 MiB"),
    named("XlaRuntimeError", RuntimeError)("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 1.00GiB"),
    MemoryError(),
])
def test_each_backends_out_of_memory_error_is_recognised(exc):
    assert is_out_of_memory(exc)


def test_an_out_of_memory_error_wrapped_in_another_is_recognised():
    try:
        try:
            raise named("ResourceExhaustedError")("OOM")
        except Exception as inner:
            raise RuntimeError("step failed") from inner
    except RuntimeError as outer:
        assert is_out_of_memory(outer)


@pytest.mark.parametrize("exc", [ValueError("shapes (8192, 784) and (10,) do not match"), AssertionError("gate")])
def test_other_errors_are_not_out_of_memory(exc):
    assert not is_out_of_memory(exc)


def test_tensorflows_own_error_is_recognised():
    tf = pytest.importorskip("tensorflow", reason="TensorFlow not installed: its error class cannot be built")
    assert is_out_of_memory(tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor"))


def test_message_names_batch_policy_free_memory_and_a_smaller_profile():
    exc = named("ResourceExhaustedError")("OOM when allocating tensor with shape[8192,4096]\nmore detail")
    msg = out_of_memory_message(exc, "mixed_float16", get_profile("seed"), "GPU0 1.2 GiB free of 79.1 GiB")
    for part in ("out of memory training mixed_float16 at batch 8192", "seed profile", "GPU0 1.2 GiB free of 79.1 GiB",
                 "try --mp-profile small (batch 2048", "ResourceExhaustedError: OOM when allocating"):
        assert part in msg
    assert "\n" not in msg and "more detail" not in msg


@pytest.mark.parametrize("text", [
    "CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`",
    "cuDNN error: CUDNN_STATUS_ALLOC_FAILED",
    "CUDA_ERROR_OUT_OF_MEMORY: out of memory",
])
def test_cublas_and_cudnn_allocation_failures_are_out_of_memory(text):
    try:
        try:
            raise RuntimeError(text)
        except RuntimeError as inner:
            raise ValueError("Exception encountered when calling Dense.call()") from inner
    except ValueError as exc:
        assert is_out_of_memory(exc)


def test_on_a_gpu_the_advice_is_not_a_cpu_profile():
    line = out_of_memory_message(RuntimeError("CUDA out of memory"), "mixed_float16", get_profile("seed"),
                                 "GPU0 0.3 GiB free of 79.1 GiB", on_gpu=True)
    assert "--mp-profile small" not in line and "free the GPU" in line and "host overhead" in line


def test_the_line_quotes_the_step_peaks_of_the_policies_that_fit():
    from mpmodel.core.memory import StepMemory
    from mpmodel.core.step_key import StepKey

    mib = 2**20
    memories = {StepKey("float32", "auto", "default"): StepMemory("float32", 600 * mib, [4100 * mib, 4200 * mib, 4150 * mib]),
                StepKey("float32", "auto", "strict"): StepMemory("float32", 600 * mib, [4150 * mib] * 3)}
    line = out_of_memory_message(RuntimeError("CUDA out of memory"), "mixed_float16", get_profile("seed"),
                                 "GPU0 0.3 GiB free of 79.1 GiB", on_gpu=True, memories=memories)
    assert ("; measured step peaks of the policies that fit: float32 4150.0 MiB (resting 600.0 MiB), "
            "float32 jit_auto fp32_strict 4150.0 MiB (resting 600.0 MiB) [RuntimeError") in line
    assert "measured step peaks" not in out_of_memory_message(MemoryError(), "float32", get_profile("small"), "host")


def test_the_smallest_profile_gets_other_advice():
    assert smaller_profiles(get_profile("small").batch_size) == []
    msg = out_of_memory_message(MemoryError(), "float32", get_profile("small"), "host 0.3 GiB available")
    assert "free the device" in msg and "MemoryError" in msg


def test_host_available_reads_meminfo():
    assert host_available("MemTotal: 100 kB\nMemAvailable:   2048 kB\n") == 2048 * 1024
    assert host_available("MemTotal: 100 kB\n") is None


OOM_BENCH = """
class ResourceExhaustedError(Exception):
    pass

def test_policy(mp_run, mp_workload, policy):
    if policy == "mixed_float16":
        raise ResourceExhaustedError("OOM when allocating tensor with shape[8192,4096] and type half")
"""


@pytest.mark.session
def test_an_out_of_memory_test_fails_with_the_facts_and_the_session_goes_on(pytester):
    pytester.makepyfile(OOM_BENCH)
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "--mp-profile", "seed", "--mp-data", "synthetic",
                                           "--mp-offline", "-rf")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(["*_ test_policy?seed-mixed_float16? _*",
                                 "out of memory training mixed_float16 at batch 8192 (seed profile, 4096 units): host *"])
    assert ("available; try --mp-profile small (batch 2048, 1024 units) [ResourceExhaustedError: OOM when allocating "
            "tensor with shape[8192,4096] and type half]") in out
    assert "Traceback" not in out and "During handling" not in out
