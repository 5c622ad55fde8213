"""What the suite runs on: GPU, driver, CUDA/cuDNN build, TF32, CPU and its flags, versions.

Every reader degrades to None where a fact cannot be read (no GPU, no nvidia-ml-py, no
/proc/cpuinfo); nothing here raises for a missing device. The framework's own facts (its version, devices,
CUDA and cuDNN builds, TF32) come from the backend's runtime (`mpmodel.core.backends`).
"""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from mpmodel.core.backends import UnsupportedBackend, runtime
from mpmodel.core.version import VERSION

CPU_PRECISION_FLAGS = ("avx512_bf16", "amx_bf16", "avx512_fp16", "amx_fp16")


# NVIDIA models by the compute capability their name implies, most specific first: for devices whose
# framework does not report one (a JAX device whose compute_capability reads as None).
CAPABILITY_BY_NAME = (
    ("GB200", "10.0"), ("B200", "10.0"), ("B100", "10.0"), ("GH200", "9.0"), ("H200", "9.0"), ("H100", "9.0"),
    ("H800", "9.0"), ("L40", "8.9"), ("L4", "8.9"), ("RTX 40", "8.9"), ("RTX 6000 Ada", "8.9"), ("A100", "8.0"),
    ("A800", "8.0"), ("A30", "8.0"), ("A40", "8.6"), ("A10", "8.6"), ("A16", "8.6"), ("A2", "8.6"),
    ("RTX 30", "8.6"), ("RTX A", "8.6"), ("T4", "7.5"), ("RTX 20", "7.5"), ("Quadro RTX", "7.5"),
    ("TITAN RTX", "7.5"), ("V100", "7.0"), ("TITAN V", "7.0"),
)


def capability_from_name(name: str | None) -> str | None:
    """The compute capability an NVIDIA model name implies ('NVIDIA H100 80GB HBM3' -> '9.0'), None if unknown."""
    text = f" {name or ''} "
    for model, capability in CAPABILITY_BY_NAME:
        if f" {model}" in text:
            return capability
    return None


@dataclass
class GpuInfo:
    name: str
    compute_capability: str | None  # "8.0"

    @property
    def capability(self) -> str | None:
        """The reported compute capability, else the one the model name implies."""
        return self.compute_capability or capability_from_name(self.name)

    @property
    def has_tf32(self) -> bool:
        """TF32 tensor cores: compute capability 8.0 (Ampere) and newer."""
        cc = self.capability
        return cc is not None and int(cc.split(".")[0]) >= 8


@dataclass
class DeviceInfo:
    gpus: list[GpuInfo] = field(default_factory=list)
    driver_version: str | None = None
    cuda_build_version: str | None = None
    cudnn_build_version: str | None = None
    tf32_enabled: bool | None = None
    cpu_model: str | None = None
    cpu_vendor: str | None = None  # /proc/cpuinfo's vendor_id: GenuineIntel, AuthenticAMD
    cpu_arch: str = ""
    cpu_count: int | None = None
    cpu_flags: list[str] = field(default_factory=list)
    onednn_opts: str | None = None  # TF_ENABLE_ONEDNN_OPTS as set, None when unset
    devices_seen: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def backend(self) -> str | None:
        return self.versions.get("keras_backend")

    @property
    def backend_version(self) -> str | None:
        return self.versions.get(self.backend) if self.backend else None

    @property
    def gpu_visible(self) -> bool:
        return bool(self.gpus)

    @property
    def tf32_capable(self) -> bool:
        """Whether float32 matmuls here can run as TF32, so that `strict` float32 differs from `default`."""
        return any(g.has_tf32 for g in self.gpus)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """One line: the device that runs the model, and the versions that matter."""
        if self.gpus:
            g = self.gpus[0]
            dev = f"GPU {g.name} (cc {g.capability}), driver {self.driver_version or '?'}, " \
                  f"CUDA {self.cuda_build_version or '?'}, cuDNN {self.cudnn_build_version or '?'}, TF32 {self.tf32_enabled}"
        else:
            flags = ",".join(self.cpu_flags) or "no bf16/fp16 flags"
            onednn = f", TF_ENABLE_ONEDNN_OPTS={self.onednn_opts}" if self.onednn_opts is not None else ""
            vendor = f"{self.cpu_vendor}, " if self.cpu_vendor else ""
            dev = f"CPU {self.cpu_model or '?'} ({vendor}{self.cpu_arch}, {self.cpu_count} cores; {flags}{onednn})"
        vers = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        return f"{dev}; {vers}"


def parse_cpuinfo(text: str) -> tuple[str | None, list[str]]:
    """(model name, the bf16/fp16 flags present) from /proc/cpuinfo's text."""
    model, flags = None, set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and model is None:
            model = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    return model, [f for f in CPU_PRECISION_FLAGS if f in flags]


def parse_cpu_vendor(text: str) -> str | None:
    """/proc/cpuinfo's vendor_id (GenuineIntel, AuthenticAMD), None where it has none (most ARM kernels)."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "vendor_id":
            return value.strip() or None
    return None


def cpu_vendor() -> str | None:
    path = Path("/proc/cpuinfo")
    return parse_cpu_vendor(path.read_text(errors="replace")) if path.is_file() else None


def cpu_info() -> tuple[str | None, list[str]]:
    path = Path("/proc/cpuinfo")
    if path.is_file():
        model, flags = parse_cpuinfo(path.read_text(errors="replace"))
        return model or platform.processor() or None, flags
    return platform.processor() or None, []


def nvml_driver_version() -> str | None:
    """The NVIDIA driver version through nvidia-ml-py, where it is installed and a driver loads."""
    try:
        import pynvml  # noqa: PLC0415 (optional: nvidia-ml-py, mpmodel[gpu])
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        try:
            version = pynvml.nvmlSystemGetDriverVersion()
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # pynvml.NVMLError and friends: no driver, no device
        return None
    return version.decode() if isinstance(version, bytes) else str(version)


def detect() -> DeviceInfo:
    """Read everything that can be read about this machine and its frameworks."""
    import keras  # noqa: PLC0415 (detecting the device is where a session first loads Keras and its backend)

    info = DeviceInfo(cpu_arch=platform.machine(), cpu_count=os.cpu_count())
    info.cpu_model, info.cpu_flags = cpu_info()
    info.cpu_vendor = cpu_vendor()
    info.onednn_opts = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    info.versions = {"python": platform.python_version(), "numpy": np.__version__,
                     "keras": keras.__version__, "keras_backend": keras.backend.backend(), "mpmodel": VERSION}
    try:
        backend = runtime(keras.backend.backend())
    except UnsupportedBackend:
        return info  # the versions say which backend; its facts are read by none of mpmodel's runtimes
    backend.device_facts(info)
    if info.gpus:  # TF32 exists only on GPUs; the framework's own setting
        info.tf32_enabled = backend.tf32_allowed()
    if info.gpus:
        info.driver_version = nvml_driver_version()
    return info
