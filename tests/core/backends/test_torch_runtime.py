"""PyTorch's runtime: TF32 read and switched through whichever API PyTorch has (the new `fp32_precision` without
touching the legacy flags), kernel time counted once, CUDA events absent (not faked) without CUDA."""

import time
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed in this environment")

from mpmodel.core.backends import runtime  # noqa: E402 (after the skip: the runtime imports torch)
from mpmodel.core.backends.torch.runtime import kernel_time_us, strict_float32_in, tf32_allowed_in  # noqa: E402

TORCH = runtime("torch")

def test_kernel_time_counts_device_entries_only():
    averages = [  # a kernel and the CPU operator that launched it carry the same device time
        SimpleNamespace(key="aten::mm", device_type="DeviceType.CPU", self_device_time_total=900.0),
        SimpleNamespace(key="sm90_xmma_gemm", device_type="DeviceType.CUDA", self_device_time_total=900.0),
        SimpleNamespace(key="aten::add_", device_type="DeviceType.CPU", self_device_time_total=100.0),
        SimpleNamespace(key="elementwise_kernel", device_type="DeviceType.CUDA", self_device_time_total=100.0),
    ]
    assert kernel_time_us(averages) == 1000.0


def test_without_cuda_the_events_are_absent_and_the_busy_share_says_why():
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: this checks the CPU path")
    calls = []
    timings = TORCH.event_rounds(lambda k: (calls.append(k), time.sleep(0.02)), steps=4, rounds=3)
    assert calls == [4, 4, 4]
    assert all(t.device_s is None and t.host_s >= 0.02 / 4 for t in timings)  # per step: the call / 4
    assert TORCH.kernel_busy_share(lambda k: None, 4) == (None, "no CUDA device")


def test_torch_new_precision_api_is_read_and_switched_without_touching_allow_tf32():
    """PyTorch >= 2.9: after the new API set "tf32", reading the legacy allow_tf32 raises."""
    class Legacy:
        fp32_precision = "tf32"

        @property
        def allow_tf32(self):
            raise RuntimeError("mix of the legacy and new APIs")

    conv = SimpleNamespace(fp32_precision="tf32")
    backends = SimpleNamespace(cuda=SimpleNamespace(matmul=Legacy()), cudnn=SimpleNamespace(conv=conv), fp32_precision="none")
    assert tf32_allowed_in(backends) is True
    with strict_float32_in(backends):
        assert tf32_allowed_in(backends) is False and conv.fp32_precision == "ieee"
    assert tf32_allowed_in(backends) is True and conv.fp32_precision == "tf32"
    backends.cuda.matmul.fp32_precision = "none"  # inherits the global setting
    backends.fp32_precision = "ieee"
    assert tf32_allowed_in(backends) is False


def test_torch_legacy_api_where_the_new_one_is_missing():
    matmul, cudnn = SimpleNamespace(allow_tf32=True), SimpleNamespace(allow_tf32=True)
    backends = SimpleNamespace(cuda=SimpleNamespace(matmul=matmul), cudnn=cudnn)
    with strict_float32_in(backends):
        assert tf32_allowed_in(backends) is False and cudnn.allow_tf32 is False
    assert tf32_allowed_in(backends) is True and cudnn.allow_tf32 is True


def test_cuda_and_cudnn_versions_are_formatted_as_under_every_backend(monkeypatch):
    """Stand-ins for a CUDA device: PyTorch's integer cuDNN (91900) is recorded as 9.19.0, as JAX's is."""
    from mpmodel.core.device import DeviceInfo

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda i: (9, 0))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: "NVIDIA H200")
    monkeypatch.setattr(torch.version, "cuda", "13.0")
    monkeypatch.setattr(torch.backends.cudnn, "version", lambda: 91900)
    info = DeviceInfo()
    TORCH.device_facts(info)
    assert (info.cuda_build_version, info.cudnn_build_version) == ("13.0", "9.19.0")
    assert info.devices_seen == ["CPU:0", "GPU:0"]
