"""Device-state sampling: CPU readers, NVML decoding through a stand-in module, summaries."""

import sys
import types

import pytest

from mpmodel.plugin.monitor import GpuReader, StateMonitor, cpu_mhz, decode_throttle, summarize, visible_devices
from mpmodel.plugin.out_of_memory import free_memory


def test_cpu_mhz_is_the_mean_over_cores():
    text = "processor : 0\ncpu MHz : 2000.0\nprocessor : 1\ncpu MHz : 3000.0\n"
    assert cpu_mhz(text) == 2500.0
    assert cpu_mhz("processor : 0\n") is None


def test_throttle_mask_decodes_to_names():
    assert decode_throttle(0) == []
    assert decode_throttle(0x4 | 0x40) == ["sw_power_cap", "hw_thermal_slowdown"]


def test_summary_gives_min_median_max_and_counts_throttle_reasons():
    s = summarize([{"cpu_mhz": 1.0, "gpu0_throttle": ["sw_power_cap"]}, {"cpu_mhz": 3.0, "gpu0_throttle": []},
                   {"cpu_mhz": 2.0, "gpu0_throttle": ["sw_power_cap"]}])
    assert s["samples"] == 3
    assert s["cpu_mhz"] == {"min": 1.0, "median": 2.0, "max": 3.0}
    assert s["gpu0_throttle"] == {"sw_power_cap": 2}


def fake_pynvml(throttle_mask=0x4):
    nv = types.SimpleNamespace(NVML_CLOCK_SM=1, NVML_CLOCK_MEM=2, NVML_TEMPERATURE_GPU=0)
    nv.nvmlInit = lambda: None
    nv.nvmlDeviceGetCount = lambda: 1
    nv.nvmlDeviceGetHandleByIndex = lambda i: f"h{i}"
    nv.nvmlDeviceGetClockInfo = lambda h, which: {1: 1980, 2: 2619}[which]
    nv.nvmlDeviceGetTemperature = lambda h, which: 61

    def power(h):
        raise RuntimeError("not supported")  # one failing query must not lose the rest
    nv.nvmlDeviceGetPowerUsage = power
    nv.nvmlDeviceGetCurrentClocksEventReasons = lambda h: throttle_mask
    nv.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(free=2 * 2**30, total=80 * 2**30, used=78 * 2**30)
    return nv


@pytest.fixture(autouse=True)
def all_gpus_visible(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


def test_gpu_reader_reads_clocks_temperature_and_throttle(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml())
    reader = GpuReader()
    assert reader.available
    assert reader.sample() == {"gpu0_sm_mhz": 1980.0, "gpu0_mem_mhz": 2619.0, "gpu0_temp_c": 61.0,
                               "gpu0_throttle": ["sw_power_cap"]}


def test_gpu_reader_reads_free_memory_for_out_of_memory_messages(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml())
    assert GpuReader().memory() == [(2 * 2**30, 80 * 2**30)]
    assert free_memory(gpu_visible=True) == "GPU0 2.0 GiB free of 80.0 GiB"


def test_gpu_reader_without_nvml_is_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import fails
    assert not GpuReader().available


def test_monitor_windows_cover_samples_from_their_mark(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml())
    monitor = StateMonitor(interval_s=60).start()
    try:
        start = monitor.mark()
        window = monitor.summary(since=start)
    finally:
        monitor.stop()
    assert window["samples"] == 2  # the mark's sample and the one taken at summary
    assert window["gpu0_temp_c"]["median"] == 61.0
    assert monitor.summary()["samples"] == 4  # start, mark, first summary, this one


@pytest.mark.parametrize("setting,expected", [
    (None, [0, 1, 2, 3]), ("2,3", [2, 3]), ("3, 1", [3, 1]), ("", []), ("-1", []), ("1,7,2", [1]),
    ("GPU-8f6b0d1e-aaaa,0", ["GPU-8f6b0d1e-aaaa", 0]), ("MIG-1234", []),
])
def test_nvml_readings_follow_cuda_visible_devices(setting, expected):
    assert visible_devices(4, setting) == expected


def test_gpu_reader_numbers_gpus_as_the_frameworks_do(monkeypatch):
    nv = fake_pynvml()
    nv.nvmlDeviceGetCount = lambda: 4
    nv.nvmlDeviceGetHandleByUUID = lambda uuid: f"u{uuid}"
    monkeypatch.setitem(sys.modules, "pynvml", nv)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,GPU-abc")
    assert GpuReader().handles == ["h2", "uGPU-abc"]  # the framework's GPU0 is NVML's index 2
