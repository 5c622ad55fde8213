import pytest

import mpmodel
from mpmodel.core import device
from mpmodel.core.backends import runtime

CPUINFO = """processor\t: 0
model name\t: AMD EPYC 9R14
flags\t\t: fpu sse avx2 avx512f avx512_bf16 avx512_vnni
processor\t: 1
model name\t: AMD EPYC 9R14
flags\t\t: fpu sse avx2 avx512f avx512_bf16 avx512_vnni
"""


def test_parse_cpuinfo_reads_model_and_precision_flags():
    model, flags = device.parse_cpuinfo(CPUINFO)
    assert model == "AMD EPYC 9R14"
    assert flags == ["avx512_bf16"]


def test_parse_cpuinfo_finds_amx_and_fp16():
    _, flags = device.parse_cpuinfo("flags : amx_bf16 amx_fp16 avx512_fp16 amx_tile\n")
    assert flags == ["amx_bf16", "avx512_fp16", "amx_fp16"]


def test_parse_cpuinfo_without_flags():
    assert device.parse_cpuinfo("") == (None, [])


def test_nvml_driver_version_is_none_without_a_driver(monkeypatch):
    import sys
    import types

    class NVMLError(Exception):
        pass

    def fail():
        raise NVMLError("Driver Not Loaded")

    monkeypatch.setitem(sys.modules, "pynvml", types.SimpleNamespace(nvmlInit=fail))
    assert device.nvml_driver_version() is None


def test_nvml_driver_version_reads_the_driver(monkeypatch):
    import sys
    import types

    fake = types.SimpleNamespace(nvmlInit=lambda: None, nvmlShutdown=lambda: None,
                                 nvmlSystemGetDriverVersion=lambda: b"560.28.03")
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    assert device.nvml_driver_version() == "560.28.03"


def test_detect_on_this_machine():
    info = device.detect()
    assert info.cpu_arch
    assert info.versions["keras"].startswith("3.")
    assert info.versions["keras_backend"]
    assert info.versions["mpmodel"] == mpmodel.__version__  # which release made a saved run (CHANGELOG.md)
    assert any(d.startswith("CPU") for d in info.devices_seen)
    if not info.gpus:
        assert info.driver_version is None
        assert "CPU" in info.summary()
    assert isinstance(info.as_dict()["cpu_flags"], list)


def test_summary_names_the_gpu():
    info = device.DeviceInfo(gpus=[device.GpuInfo("NVIDIA H100", "9.0")], driver_version="560.28",
                             cuda_build_version="12.5", cudnn_build_version="9", tf32_enabled=True,
                             versions={"tensorflow": "2.21.0"})
    line = info.summary()
    for part in ("NVIDIA H100", "cc 9.0", "driver 560.28", "CUDA 12.5", "TF32 True", "tensorflow 2.21.0"):
        assert part in line


@pytest.mark.parametrize("backend", ["tensorflow", "torch", "jax"])
def test_each_backend_reports_its_version_and_devices(backend):
    pytest.importorskip(backend, reason=f"{backend} is not installed in this environment")
    info = device.DeviceInfo()
    runtime(backend).device_facts(info)
    assert info.versions[backend]
    assert info.devices_seen and info.devices_seen[0].startswith("CPU")


def test_backend_and_its_version_come_from_the_versions():
    info = device.DeviceInfo(versions={"keras_backend": "torch", "torch": "2.13.0"})
    assert (info.backend, info.backend_version) == ("torch", "2.13.0")


@pytest.mark.parametrize("name,cc,tf32", [
    ("NVIDIA H100 80GB HBM3", "9.0", True), ("NVIDIA H200", "9.0", True), ("NVIDIA A100-SXM4-80GB", "8.0", True),
    ("NVIDIA A10G", "8.6", True), ("NVIDIA L4", "8.9", True), ("NVIDIA GeForce RTX 4090", "8.9", True),
    ("Tesla T4", "7.5", False), ("Tesla V100-SXM2-16GB", "7.0", False), ("NVIDIA B200", "10.0", True),
    ("Mystery Accelerator", None, False),
])
def test_a_gpu_without_a_reported_capability_is_known_by_its_name(name, cc, tf32):
    gpu = device.GpuInfo(name, None)
    assert device.capability_from_name(name) == cc and gpu.capability == cc and gpu.has_tf32 is tf32
    assert device.DeviceInfo(gpus=[gpu]).tf32_capable is tf32


def test_a_reported_capability_wins_over_the_name():
    assert device.GpuInfo("NVIDIA H100", "8.0").capability == "8.0"
    assert not device.DeviceInfo(gpus=[device.GpuInfo("Tesla T4", "7.5")]).tf32_capable
    assert not device.DeviceInfo().tf32_capable  # no GPU
