"""The device's state while benchmarks run: CPU frequency and load, and through nvidia-ml-py
each GPU's clocks, temperature, power and throttle reasons.

A daemon thread samples every few seconds; `summary(since)` gives min/median/max per reading
and every throttle reason seen over a window. Readers return nothing where a fact cannot be
read, so the same code runs on a laptop, a CI runner and a GPU node.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

# NVML's clock-event (throttle) reason bits, as in nvml.h (nvmlClocksEventReason*).
THROTTLE_REASONS = {
    0x1: "gpu_idle", 0x2: "applications_clocks_setting", 0x4: "sw_power_cap", 0x8: "hw_slowdown",
    0x10: "sync_boost", 0x20: "sw_thermal_slowdown", 0x40: "hw_thermal_slowdown",
    0x80: "hw_power_brake_slowdown", 0x100: "display_clock_setting",
}


def decode_throttle(mask: int) -> list[str]:
    """Names of the reason bits set in an NVML clock-event mask."""
    return [name for bit, name in THROTTLE_REASONS.items() if mask & bit]


def cpu_mhz(cpuinfo: str | None = None) -> float | None:
    """Mean current frequency over the cores ('cpu MHz' in /proc/cpuinfo)."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        if not path.is_file():
            return None
        cpuinfo = path.read_text(errors="replace")
    values = []
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "cpu MHz":
            try:
                values.append(float(value))
            except ValueError:
                continue
    return float(np.mean(values)) if values else None


def cpu_sample() -> dict:
    sample = {}
    mhz = cpu_mhz()
    if mhz is not None:
        sample["cpu_mhz"] = mhz
    if hasattr(os, "getloadavg"):
        sample["load_1m"] = os.getloadavg()[0]
    return sample


def visible_devices(count: int, setting: str | None) -> list[int | str]:
    """The GPUs the frameworks see, in their order, as NVML indices or UUIDs: CUDA_VISIBLE_DEVICES as CUDA
    reads it (unset: all; entries up to the first it cannot parse; an index out of range ends the list)."""
    if setting is None:
        return list(range(count))
    visible: list[int | str] = []
    for entry in (e.strip() for e in setting.split(",")):
        if entry.isdigit() and int(entry) < count:
            visible.append(int(entry))
        elif entry.startswith("GPU-"):
            visible.append(entry)
        else:  # "-1", "", a MIG instance, an index past the last GPU: CUDA stops here
            break
    return visible


class GpuReader:
    """Per-GPU readings through nvidia-ml-py, numbered as the frameworks number the GPUs they see
    (CUDA_VISIBLE_DEVICES applied); `available` is False without it, without a driver or a visible GPU."""

    def __init__(self):
        self.handles = []
        try:
            import pynvml  # noqa: PLC0415 (optional: nvidia-ml-py, mpmodel[gpu])

            pynvml.nvmlInit()
            self.nvml = pynvml
            visible = visible_devices(pynvml.nvmlDeviceGetCount(), os.environ.get("CUDA_VISIBLE_DEVICES"))
            self.handles = [pynvml.nvmlDeviceGetHandleByUUID(d) if isinstance(d, str) else
                            pynvml.nvmlDeviceGetHandleByIndex(d) for d in visible]
        except Exception:  # ImportError, NVMLError: no library, no driver, no device
            self.nvml = None

    @property
    def available(self) -> bool:
        return bool(self.handles)

    def _read(self, fn, *args):
        try:
            return fn(*args)
        except Exception:  # one unsupported query must not lose the others
            return None

    def memory(self) -> list[tuple[int, int]]:
        """(free, total) bytes per GPU; an entry is missing where NVML cannot say."""
        infos = [self._read(self.nvml.nvmlDeviceGetMemoryInfo, h) for h in self.handles]
        return [(int(m.free), int(m.total)) for m in infos if m is not None]

    def sample(self) -> dict:
        nv, sample = self.nvml, {}
        for i, h in enumerate(self.handles):
            sm = self._read(nv.nvmlDeviceGetClockInfo, h, nv.NVML_CLOCK_SM)
            mem = self._read(nv.nvmlDeviceGetClockInfo, h, nv.NVML_CLOCK_MEM)
            temp = self._read(nv.nvmlDeviceGetTemperature, h, nv.NVML_TEMPERATURE_GPU)
            power = self._read(nv.nvmlDeviceGetPowerUsage, h)
            reasons_fn = getattr(nv, "nvmlDeviceGetCurrentClocksEventReasons", None) or \
                getattr(nv, "nvmlDeviceGetCurrentClocksThrottleReasons", None)
            mask = self._read(reasons_fn, h) if reasons_fn else None
            for key, value in ((f"gpu{i}_sm_mhz", sm), (f"gpu{i}_mem_mhz", mem), (f"gpu{i}_temp_c", temp),
                               (f"gpu{i}_power_w", power / 1000.0 if power is not None else None)):
                if value is not None:
                    sample[key] = float(value)
            if mask is not None:
                sample[f"gpu{i}_throttle"] = decode_throttle(int(mask))
        return sample


def summarize(samples: list[dict]) -> dict:
    """min/median/max per numeric reading, and the throttle reasons seen with how many samples had each."""
    out: dict = {"samples": len(samples)}
    keys = sorted({k for s in samples for k in s})
    for key in keys:
        values = [s[key] for s in samples if key in s]
        if key.endswith("_throttle"):
            counts: dict[str, int] = {}
            for reasons in values:
                for r in reasons:
                    counts[r] = counts.get(r, 0) + 1
            out[key] = counts
        else:
            out[key] = {"min": float(np.min(values)), "median": float(np.median(values)), "max": float(np.max(values))}
    return out


class StateMonitor:
    """Samples the device state on a daemon thread; windows are marked by sample index."""

    def __init__(self, interval_s: float = 2.0, gpu: GpuReader | None = None):
        self.interval_s = interval_s
        self.gpu = gpu if gpu is not None else GpuReader()
        self.samples: list[dict] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample_now(self) -> None:
        sample = {**cpu_sample(), **(self.gpu.sample() if self.gpu.available else {})}
        with self._lock:
            self.samples.append(sample)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample_now()

    def start(self) -> StateMonitor:
        self.sample_now()
        self._thread = threading.Thread(target=self._loop, name="mpmodel-state", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_s + 1)

    def mark(self) -> int:
        """Begin a window: takes a sample now and returns its index."""
        self.sample_now()
        with self._lock:
            return len(self.samples) - 1

    def summary(self, since: int = 0) -> dict:
        """Summary of the samples from `since` on, including one taken now."""
        self.sample_now()
        with self._lock:
            window = list(self.samples[since:])
        return summarize(window)
