import pytest

from mpmodel.core.device import DeviceInfo, GpuInfo
from mpmodel.core.policies import MIXED_POLICIES
from mpmodel.measure import expectations as ex

CPU_CLASSES = (ex.X86_AMX, ex.X86_BF16_AMD, ex.X86_BF16_INTEL, ex.X86_BF16, ex.X86)  # every CPU class the table knows


def cpu(flags=(), arch="x86_64", backend="tensorflow", vendor="AuthenticAMD"):
    return DeviceInfo(cpu_arch=arch, cpu_flags=list(flags), cpu_vendor=vendor, versions={"keras_backend": backend})


def gpu(cc):
    return DeviceInfo(gpus=[GpuInfo("NVIDIA Test", cc)], cpu_arch="x86_64", cpu_flags=["avx512_bf16"])


@pytest.mark.parametrize("info,cls", [
    (cpu(["avx512_bf16"]), ex.X86_BF16_AMD),  # Zen 4
    (cpu(["avx512_bf16", "avx512_fp16"], vendor="GenuineIntel"), ex.X86_BF16_INTEL),  # a Xeon with no AMX exposed
    (cpu(["avx512_bf16", "amx_bf16", "avx512_fp16"], vendor="GenuineIntel"), ex.X86_AMX),  # Sapphire Rapids
    (cpu(["avx512_bf16"], vendor=None), ex.X86_BF16),  # a vendor nobody has measured
    (cpu([]), ex.X86),
    (cpu([], vendor="GenuineIntel"), ex.X86),
    (cpu([], arch="aarch64"), ex.OTHER),
    (gpu("7.5"), ex.NVIDIA_CC7),
    (gpu("8.0"), ex.NVIDIA_CC8),
    (gpu("9.0"), ex.NVIDIA_CC8),
    (gpu("6.1"), ex.OTHER),
    (DeviceInfo(gpus=[GpuInfo("NVIDIA H100 80GB HBM3", None)]), ex.NVIDIA_CC8),  # a JAX device without a capability
    (DeviceInfo(gpus=[GpuInfo("Tesla V100-SXM2-16GB", None)]), ex.NVIDIA_CC7),
    (DeviceInfo(gpus=[GpuInfo("Some Future GPU", None)]), ex.OTHER),
])
def test_device_class(info, cls):
    assert ex.device_class(info) == cls


@pytest.mark.parametrize("info,policy,tf32,minimum", [
    (cpu(["avx512_bf16"]), "mixed_bfloat16", None, 1.3),  # TensorFlow, not compiled
    (cpu(["avx512_bf16"]), "mixed_float16", None, None),
    (cpu([]), "mixed_bfloat16", None, None),
    (gpu("7.0"), "mixed_float16", False, 2.0),
    (gpu("7.0"), "mixed_bfloat16", False, None),
    (gpu("8.9"), "mixed_float16", True, 1.2),
    (gpu("9.0"), "mixed_bfloat16", True, 1.2),
    (gpu("8.0"), "mixed_float16", False, 2.0),  # against strict float32
    (gpu("9.0"), "mixed_bfloat16", False, 2.0),
])
def test_table_values(info, policy, tf32, minimum):
    e = ex.expectation_for(info, policy, tf32=tf32, jit="off")
    assert e.min_speedup == minimum
    assert e.reason and e.source == "expectations table"


@pytest.mark.parametrize("backend,jit,minimum", [
    ("tensorflow", "off", 1.3), ("tensorflow", "on", None),  # XLA:CPU has no bf16 kernels
    ("torch", "off", 1.5), ("torch", "on", 1.5), ("jax", "on", None), ("mlx", "off", None)])
def test_bf16_cpu_rows_differ_by_backend_and_compiler_as_measured(backend, jit, minimum):
    e = ex.expectation_for(cpu(["avx512_bf16"], backend=backend), "mixed_bfloat16", jit=jit)
    assert e.min_speedup == minimum
    assert e.backend in (backend, None)
    if backend == "mlx":  # no row: the measured ceiling decides (mpmodel.measure.ceilings.from_ceiling)
        assert e.source == ex.NO_ROW


@pytest.mark.parametrize("flags,vendor,backend,minimum,source", [
    (["avx512_bf16", "amx_bf16"], "GenuineIntel", "tensorflow", 1.3, "expectations table"),  # AMX: 3x measured
    (["avx512_bf16", "amx_bf16"], "GenuineIntel", "torch", 1.5, "expectations table"),  # AMX: 2.78x measured
    (["avx512_bf16"], "GenuineIntel", "tensorflow", None, "expectations table"),  # bf16 matmuls 0.34x measured
    (["avx512_bf16"], "GenuineIntel", "torch", None, ex.NO_ROW),
    (["avx512_bf16"], "AuthenticAMD", "tensorflow", 1.3, "expectations table"),  # the planted oneDNN loss fails
    (["avx512_bf16"], "HygonGenuine", "tensorflow", None, ex.NO_ROW),
    ([], "GenuineIntel", "tensorflow", None, "expectations table"),
])
def test_each_cpu_class_has_its_bf16_expectation(flags, vendor, backend, minimum, source):
    e = ex.expectation_for(cpu(flags, backend=backend, vendor=vendor), "mixed_bfloat16", jit="off")
    assert (e.min_speedup, e.source) == (minimum, source)


@pytest.mark.parametrize("cls", CPU_CLASSES)
def test_the_float16_reason_follows_the_cpus_avx512_fp16_flag(cls):
    flags = {ex.X86_AMX: ["amx_bf16"], ex.X86: []}.get(cls, ["avx512_bf16"])
    vendor = {ex.X86_BF16_AMD: "AuthenticAMD", ex.X86_BF16: None}.get(cls, "GenuineIntel")
    with_fp16 = ex.expectation_for(cpu([*flags, "avx512_fp16"], vendor=vendor), "mixed_float16")
    without = ex.expectation_for(cpu(flags, vendor=vendor), "mixed_float16")
    assert with_fp16.device_class == without.device_class == cls
    assert with_fp16.min_speedup is None and without.min_speedup is None
    assert with_fp16.reason.startswith("AVX512_FP16 gives float16 arithmetic") and "remapper" in with_fp16.reason
    assert without.reason.startswith("without AVX512_FP16")


def test_gpu_rows_come_from_the_h200_measurement_where_one_exists():
    for backend, against_tf32 in (("tensorflow", 1.2), ("torch", 1.2), ("jax", 1.6)):
        info = gpu("9.0")
        info.versions["keras_backend"] = backend
        tf32_row = ex.expectation_for(info, "mixed_bfloat16", tf32=True)
        assert tf32_row.min_speedup == against_tf32
        assert "measured 2.06x" in tf32_row.reason  # JAX's measurement, quoted on every backend
        assert ("this backend not yet" in tf32_row.reason) == (backend != "jax")
        strict_row = ex.expectation_for(info, "mixed_bfloat16", tf32=False)
        assert strict_row.min_speedup == 2.0 and "H200" in strict_row.reason


def test_every_device_class_has_a_row_per_mixed_policy():
    for cls in (*CPU_CLASSES, ex.NVIDIA_CC7, ex.NVIDIA_CC8):
        if cls == ex.X86_BF16:  # a vendor nobody measured: bf16 left to the measured ceiling on purpose
            assert {r.policy for r in ex.EXPECTATIONS if r.device_class == cls} == {"mixed_float16"}
            continue
        assert {r.policy for r in ex.EXPECTATIONS if r.device_class == cls} == set(MIXED_POLICIES)


def test_unknown_device_expects_nothing_and_says_so():
    e = ex.expectation_for(cpu([], arch="aarch64"), "mixed_bfloat16")
    assert e.min_speedup is None and "no row" in e.reason


def test_override_wins_over_the_table():
    info = cpu(["avx512_bf16"])
    e = ex.expectation_for(info, "mixed_float16", ex.parse_min_speedup("mixed_float16=1.1"))
    assert (e.min_speedup, e.source) == (1.1, "--mp-min-speedup")
    other = ex.expectation_for(info, "mixed_bfloat16", ex.parse_min_speedup("mixed_float16=1.1"), jit="off")
    assert other.min_speedup == 1.3


def test_parse_min_speedup():
    assert ex.parse_min_speedup("1.5") == {"mixed_float16": 1.5, "mixed_bfloat16": 1.5}
    assert ex.parse_min_speedup("mixed_bfloat16=2, mixed_float16=none") == {"mixed_bfloat16": 2.0, "mixed_float16": None}


@pytest.mark.parametrize("text,message", [
    ("fast", "not a number"),
    ("-1", "positive"),
    ("0", "positive"),
    ("inf", "positive finite"),
    ("mixed_bfloat16=", "not a number"),
    ("mixed_bfloat16:1.5,x=2", "not policy=value"),
    ("bf16=1.5", "unknown policy 'bf16'"),
    ("float32=1.5", "baseline"),
    ("mixed_bfloat16=1.5,=2", "not policy=value"),
])
def test_parse_min_speedup_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        ex.parse_min_speedup(text)


def test_the_tiny_harness_profile_expects_no_speedup_unless_told():
    e = ex.expectation_for(cpu(["avx512_bf16"]), "mixed_bfloat16", harness_check=True)
    assert e.min_speedup is None and "harness-check profile" in e.reason
    assert ex.expectation_for(cpu(["avx512_bf16"]), "mixed_bfloat16", jit="off").min_speedup == 1.3
    told = ex.expectation_for(cpu(["avx512_bf16"]), "mixed_bfloat16", {"mixed_bfloat16": 1.1}, harness_check=True)
    assert told.min_speedup == 1.1


def test_memory_rows_expect_a_saving_on_gpus_only():
    assert ex.memory_expectation_for(gpu("9.0"), "mixed_bfloat16").max_ratio == ex.GPU_MEMORY_RATIO
    assert ex.memory_expectation_for(gpu("7.0"), "mixed_float16").max_ratio == ex.GPU_MEMORY_RATIO
    assert ex.memory_expectation_for(cpu(["avx512_bf16"]), "mixed_bfloat16").max_ratio is None
    assert ex.memory_expectation_for(cpu([]), "mixed_bfloat16").max_ratio is None
    other = ex.memory_expectation_for(cpu([], arch="aarch64"), "mixed_bfloat16")
    assert other.max_ratio is None and "no row" in other.reason


def test_a_measured_speedup_row_gates_its_own_workload_and_other_workloads_fall_to_the_ceiling_rule():
    zen4 = cpu(["avx512_bf16"])
    assert ex.expectation_for(zen4, "mixed_bfloat16", jit="off").min_speedup == 1.3  # the MLP's, measured
    conv = ex.expectation_for(zen4, "mixed_bfloat16", jit="off", workload="conv")
    assert conv.source == ex.NO_ROW and conv.reason.endswith("for workload conv")
    info = cpu(["avx512_bf16", "amx_bf16"], vendor="GenuineIntel")  # where the convnet was measured: its own row
    assert ex.expectation_for(info, "mixed_bfloat16", jit="off", workload="conv").min_speedup == 0.85
    assert ex.expectation_for(info, "mixed_bfloat16", jit="off").min_speedup == 1.3
    # a row expecting no speedup says why the kernels cannot gain: it holds for every workload
    fp16 = ex.expectation_for(info, "mixed_float16", workload="transformer")
    assert fp16.source == "expectations table" and fp16.min_speedup is None and "float16" in fp16.reason
