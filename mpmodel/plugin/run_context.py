"""The session's shared state: settings, device, profile, data, float32 baselines and gate verdicts.

`RunContext` is what the `mp_run` fixture hands to every benchmark. It is built on first use,
which detects the device and so imports the Keras backend; the stash keys name everything else
the hooks keep on the pytest config.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from mpmodel.core.data import DataError, Dataset, load_data
from mpmodel.core.device import DeviceInfo, detect
from mpmodel.core.matmul_precision import float32_matmuls, resolve_variants, tf32_allowed
from mpmodel.core.memory import StepMemory
from mpmodel.core.policies import BASELINE, expected_jit_compile
from mpmodel.core.profiles import Profile, default_profile_name, flops_per_step, get_profile, step_matmuls
from mpmodel.core.speed_of_light import matmul_runner
from mpmodel.measure.ceilings import SpeedOfLight, measure_speed_of_light
from mpmodel.measure.context import describe, label
from mpmodel.measure.cost import MEMORY_PROBE_STEPS, SLOW_MATMUL_SHARE, crawls, estimated_step_s, minutes, test_s
from mpmodel.measure.expectations import Expectation, device_class, expectation_for
from mpmodel.measure.rounds import TIMING_METHOD
from mpmodel.plugin.backend_check import missing_backend_message
from mpmodel.plugin.memory_child import measure_in_child
from mpmodel.plugin.options import Settings

SETTINGS = pytest.StashKey[Settings]()
CONTEXT = pytest.StashKey["RunContext"]()
MONITOR = pytest.StashKey()  # mpmodel.plugin.monitor.StateMonitor, while benchmarks run
SIGTERM = pytest.StashKey()  # the SIGTERM handler to restore at the end
ADAPTED = pytest.StashKey()  # pytest-benchmark's session, where the adapter (benchmark_session) applies to it
DATA = pytest.StashKey[Dataset]()  # where --mp-data named a file or real MNIST: loaded at configure time
CONTEXT_FIXTURE = "mp_run"
READ_NOW = object()  # result_info: read the TF32 state at the call


@dataclass
class RunContext:
    """Everything a benchmark shares: settings, device, profile, data, float32 baselines."""

    settings: Settings
    device: DeviceInfo
    profile: Profile
    data: Dataset | None = None  # loaded at collection's end
    float32_fits: dict = field(default_factory=dict)  # (recipe, order seed, compile mode, float32 variant) -> FitResult
    verdicts: list = field(default_factory=list)  # (test id, outcome, message) for the summary
    speeds_of_light: dict = field(default_factory=dict)  # (policy, jit_compile, fp32 or None) -> SpeedOfLight
    memories: dict = field(default_factory=dict)  # (policy, jit, fp32) -> StepMemory, measured in a child process
    say: Callable[[str], None] = print  # a line to the terminal, outside pytest's capture (set at collection)

    def speed_of_light(self, policy: str, jit_compile: bool, fp32: str) -> SpeedOfLight:
        """The step's matmuls alone in `policy`'s compute dtype, timed on first use and kept for the session."""
        key = (policy, jit_compile, fp32 if policy == BASELINE else None)  # TF32 matters to float32 alone
        if key not in self.speeds_of_light:
            with self.float32_matmuls(fp32):
                run = matmul_runner(step_matmuls(self.profile), policy, jit_compile)
                self.speeds_of_light[key] = measure_speed_of_light(run, flops_per_step(self.profile))
        return self.speeds_of_light[key]

    def memory(self, policy: str, jit: str, fp32: str) -> StepMemory:
        """`policy`'s step memory, measured in a fresh child process on first use and kept for the session."""
        key = (policy, jit, fp32)
        if key not in self.memories:
            self.memories[key] = measure_in_child(policy, self.profile.name, jit, fp32)
        return self.memories[key]

    def compiled(self, jit: str) -> bool:
        """Whether a compile mode (auto, on, off) runs the model jit-compiled on this backend and device."""
        return expected_jit_compile(jit, self.device.backend, self.device.gpu_visible)

    def crawling(self, test: str, policy: str, jit: str, fp32: str) -> str | None:
        """Why `test` does not run `policy` in full (`crawl_reason`), or None where it does."""
        compiled = self.compiled(jit)
        return self.crawl_reason(test, policy, compiled, fp32) if self.crawls(policy, compiled, fp32) else None

    def fit_seeds(self, test: str) -> int:
        """Paired seeds a fit test trains: the option's count, else the profile's; 0 for other tests."""
        s, p = self.settings, self.profile
        if test == "test_accuracy":
            return p.accuracy_seeds if s.accuracy_seeds is None else s.accuracy_seeds
        if test == "test_seed_recipe_accuracy":
            return p.seed_recipe_seeds if s.seed_recipe_seeds is None else s.seed_recipe_seeds
        return 0

    def crawls(self, policy: str, jit_compile: bool, fp32: str) -> bool:
        """Whether `policy`'s matmuls crawl here (under a tenth of float32's) and no option asks to time and
        fit it anyway: its tests then skip (or fail on the matmuls alone) instead of running for hours."""
        if self.settings.slow_policies or policy == BASELINE:
            return False
        return crawls(self.speed_of_light(policy, jit_compile, fp32).tflops,
                      self.speed_of_light(BASELINE, jit_compile, fp32).tflops)

    def crawl_reason(self, test: str, policy: str, jit_compile: bool, fp32: str) -> str:
        """The measured figures, and how long `test` would have taken for `policy`."""
        mixed, base = self.speed_of_light(policy, jit_compile, fp32), self.speed_of_light(BASELINE, jit_compile, fp32)
        would = test_s(test, self.profile, self.data.x_train.shape[0], self.data.x_test.shape[0],
                       estimated_step_s(base.seconds), estimated_step_s(mixed.seconds), self.fit_seeds(test))
        work = {"test_step_time": "timing its steps", "test_speedup": "timing its steps against float32's",
                "test_accuracy": f"its {self.fit_seeds(test)} accuracy fits",
                "test_seed_recipe_accuracy": f"its {self.fit_seeds(test)} fits of the seed's recipe",
                "test_memory": f"measuring its step memory ({MEMORY_PROBE_STEPS} steps in a child process)"}[test]
        return (f"{policy}'s matmuls here reach {mixed.tflops * 1e3:.3g} GFLOP/s, {mixed.tflops / base.tflops:.1%} of "
                f"float32's {base.tflops * 1e3:.3g} (under {SLOW_MATMUL_SHARE:.0%}); {work} would take about "
                f"{minutes(would)}; --mp-slow-policies runs it")

    def record(self, benchmark, verdict) -> None:
        """Keep a gate's verdict for the summary, and in the saved result's extra_info."""
        outcome = "skip" if not verdict.expected else ("pass" if verdict.passed else "FAIL")
        self.verdicts.append((benchmark.fullname.split("::")[-1], outcome, verdict.message))
        benchmark.extra_info.update({"gate": outcome, "gate_message": verdict.message})

    def result_info(self, jit: str, fp32: str, model, tf32=READ_NOW) -> dict:
        """What every result records: backend and version, compile mode as asked and as resolved, float32
        variant and the TF32 state it ran under (read now unless given), profile, data."""
        return {"backend": self.device.backend, "backend_version": self.device.backend_version,
                "jit": jit, "jit_compile": bool(model.jit_compile), "fp32": fp32,
                "tf32": self.tf32() if tf32 is READ_NOW else tf32, "profile": self.profile.name,
                "data_source": self.data.source if self.data is not None else None}

    @property
    def fp32_variants(self) -> tuple[str, ...]:
        return resolve_variants(self.settings.fp32, self.device.tf32_capable, self.device.tf32_enabled)

    def float32_matmuls(self, variant: str):
        """Context for a test body: the float32 variant's matmul precision on this backend."""
        return float32_matmuls(variant, self.device.backend)

    def tf32(self) -> bool | None:
        """Whether float32 matmuls run as TF32 right now; None on a device without TF32 (CPU)."""
        return tf32_allowed(self.device.backend) if self.device.gpu_visible else None

    def expectation(self, policy: str, tf32: bool | None = None, compiled: bool | None = None) -> Expectation:
        return expectation_for(self.device, policy, self.settings.min_speedup, tf32, compiled,
                               self.profile.harness_check)

    def machine_info(self) -> dict:
        """The run's context for pytest-benchmark's machine_info. pytest-benchmark reads it once
        before data loads (to compare) and again when saving, so `data` is present only then."""
        info = {"device": self.device.as_dict(), "device_class": device_class(self.device),
                "backend": self.device.backend, "backend_version": self.device.backend_version,
                "profile": self.profile.name, "data": self.data.source if self.data is not None else None,
                "timing": TIMING_METHOD}
        info["key"] = label(describe({"mpmodel": info}))
        return info


def run_context(config) -> RunContext:
    """The session's context, detecting the device on first use (imports the backend)."""
    if CONTEXT not in config.stash:
        settings = config.stash[SETTINGS]
        try:
            device = detect()
        except ImportError as exc:  # the Keras backend's framework is not installed
            raise pytest.UsageError(missing_backend_message(exc)) from None
        name = settings.profile if settings.profile != "auto" else default_profile_name(device.gpu_visible)
        config.stash[CONTEXT] = RunContext(settings, device, get_profile(name))
    return config.stash[CONTEXT]


def load_checked_data(settings: Settings) -> Dataset:
    """The session's data; pytest.UsageError with the loader's one line when it cannot be used."""
    try:
        return load_data(settings.data, offline=settings.offline)
    except DataError as exc:
        raise pytest.UsageError(f"--mp-data: {exc}") from None


def require_gpu(config) -> None:
    """--mp-require-gpu: stop at once, naming what was found, when no GPU is visible."""
    device = run_context(config).device
    if not device.gpu_visible:
        found = ", ".join(device.devices_seen) or "none"
        raise pytest.UsageError(
            f"--mp-require-gpu: no GPU visible; devices found: {found} (CPU {device.cpu_model}); "
            "check the driver and CUDA install (nvidia-smi)"
        )
