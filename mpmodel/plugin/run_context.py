"""The session's shared state, one context per workload: settings, device, profile, data, float32 baselines,
probes and gate verdicts (the verdicts one list shared by every workload's context).

`RunContext` is what the `mp_run` fixture hands to every benchmark of its workload. The contexts are built on
first use, which detects the device and so imports the Keras backend; `keys` names what the hooks keep on the
pytest config.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from mpmodel.core.backends import traits
from mpmodel.core.data import DataError, Dataset
from mpmodel.core.device import CPU_PRECISION_FLAGS, DeviceInfo, detect
from mpmodel.core.errors import one_line
from mpmodel.core.matmul_precision import float32_matmuls, resolve_variants, tf32_allowed
from mpmodel.core.memory import StepMemory
from mpmodel.core.policies import BASELINE, POLICIES, expected_jit_compile
from mpmodel.core.profiles import DEFAULT_WORKLOAD, Profile, default_profile_name, flops_per_step, profile_of, step_kernels
from mpmodel.core.speed_of_light import kernel_runner
from mpmodel.measure.ceilings import HARNESS_SOL_BUDGET_S, HARNESS_SOL_WARMUP_S, SpeedOfLight, measure_speed_of_light
from mpmodel.measure.context import describe, label
from mpmodel.measure.cost import MEMORY_PROBE_STEPS, estimated_step_s, minutes, test_s
from mpmodel.measure.expectations import Expectation, device_class, expectation_for
from mpmodel.measure.gates import Verdict
from mpmodel.measure.probe import CRAWL_FACTOR, ProbedStep, crawls, seconds, slowdown
from mpmodel.measure.results import common_facts
from mpmodel.measure.rounds import TIMING_METHOD
from mpmodel.plugin.backend_check import missing_backend_message
from mpmodel.plugin.data_choice import load_all, parse_data_choice
from mpmodel.plugin.keys import CONTEXTS, SETTINGS
from mpmodel.plugin.memory_child import measure_in_child
from mpmodel.plugin.out_of_memory import out_of_memory_text
from mpmodel.plugin.settings import Settings
from mpmodel.plugin.step_child import probe_in_child

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
    probes: dict = field(default_factory=dict)  # (policy, compiled, fp32 or None) -> ProbedStep, from a child process
    causes: dict = field(default_factory=dict)  # (policy, compiled, fp32 or None) -> why its step crawls, where found
    say: Callable[[str], None] = print  # a line to the terminal, outside pytest's capture (set at collection)

    def speed_of_light(self, policy: str, jit_compile: bool, fp32: str) -> SpeedOfLight:
        """The step's kernels alone in `policy`'s compute dtype, timed on first use and kept for the session."""
        key = (policy, jit_compile, fp32 if policy == BASELINE else None)  # TF32 matters to float32 alone
        if key not in self.speeds_of_light:
            flops = flops_per_step(self.profile)
            brief = {"warmup_s": HARNESS_SOL_WARMUP_S, "budget_s": HARNESS_SOL_BUDGET_S} if self.profile.harness_check else {}
            try:
                with self.float32_matmuls(fp32):
                    # one compiled loop of K iterations on a GPU, where a call's dispatch is a share of a ms-scale step;
                    # on a CPU the loop's carried touches cost more than the dispatch they save (docs/gpu-check.md: the bound)
                    run = kernel_runner(step_kernels(self.profile), policy, jit_compile, fused=self.device.gpu_visible)
                    self.speeds_of_light[key] = measure_speed_of_light(run, flops, **brief)
            except Exception as exc:  # an op with no kernel in this dtype here: the step's tests say so, not the session
                self.speeds_of_light[key] = SpeedOfLight(float("nan"), flops, 0, error=one_line(exc))
        return self.speeds_of_light[key]

    @property
    def accuracy_tol(self) -> float:
        """The accuracy gate's tolerance: --mp-accuracy-tol where given, else the workload's own."""
        s = self.settings.accuracy_tol
        return s if s is not None else self.profile.workload.accuracy_tol

    def memory(self, policy: str, jit: str, fp32: str) -> StepMemory:
        """`policy`'s step memory, measured in a fresh child process on first use and kept for the session."""
        key = (policy, jit, fp32)
        if key not in self.memories:
            self.memories[key] = measure_in_child(policy, self.profile, jit, fp32)
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

    @staticmethod
    def _probe_key(policy: str, compiled: bool, fp32: str) -> tuple:
        return (policy, compiled, fp32 if policy == BASELINE else None)  # TF32 matters to float32 alone

    def jit_mode(self, compiled: bool) -> str:
        """A compile mode of this session's that runs the model compiled (or not) as asked."""
        modes = [m for m in (*self.settings.jit, "auto", "on", "off") if self.compiled(m) == compiled]
        return modes[0] if modes else "auto"

    def probe_steps(self, needed) -> None:
        """Probe the real step of every (policy, float32 variant, compiled) in `needed` not probed yet, in a child
        process per compile mode and variant, float32 first (mpmodel.plugin.step_child)."""
        groups: dict[tuple, set] = {}
        for policy, fp32, compiled in needed:
            for p in (BASELINE, policy):
                if self._probe_key(p, compiled, fp32) not in self.probes:
                    groups.setdefault((compiled, fp32), set()).add(p)
        for (compiled, fp32), policies in sorted(groups.items()):
            ordered = [p for p in POLICIES if p in policies and self._probe_key(p, compiled, fp32) not in self.probes]
            if not ordered:
                continue
            found = probe_in_child(ordered, self.profile, self.jit_mode(compiled), fp32,
                                   baseline=self.probes.get(self._probe_key(BASELINE, compiled, fp32)))
            for policy, probed in found.items():
                self.probes[self._probe_key(policy, compiled, fp32)] = probed

    def probed(self, policy: str, compiled: bool, fp32: str) -> ProbedStep:
        """`policy`'s probed step (probed now where the session has not yet)."""
        key = self._probe_key(policy, compiled, fp32)
        if key not in self.probes:
            self.probe_steps({(policy, fp32, compiled)})
        return self.probes[key]

    def step_estimate(self, policy: str, compiled: bool, fp32: str) -> float:
        """The step time the session plans with: the probe's, else (the probe failed) the speed of light's
        at the assumed efficiency."""
        step = self.probed(policy, compiled, fp32).step_s
        if step is not None:
            return step
        sol = self.speed_of_light(policy, compiled, fp32)
        return estimated_step_s(sol.seconds) if sol.error is None else 0.0  # a step that does not run costs nothing

    def crawls(self, policy: str, jit_compile: bool, fp32: str) -> bool:
        """Whether `policy`'s probed step takes more than CRAWL_FACTOR times float32's here and no option asks to
        time and fit it anyway: its tests then skip (or its speedup is decided on the probe) instead of running
        for hours."""
        if self.settings.slow_policies or policy == BASELINE:
            return False
        return crawls(self.probed(policy, jit_compile, fp32), self.probed(BASELINE, jit_compile, fp32))

    def crawl_cause(self, policy: str, compiled: bool, fp32: str) -> str:
        """Where a crawling step's time went, where the backend lets the probe find out: the step probed once more
        with the backend's op fusion off (TensorFlow's graph remapper)."""
        key = self._probe_key(policy, compiled, fp32)
        if key not in self.causes:
            base = self.probed(BASELINE, compiled, fp32)
            known = traits(self.device.backend)
            if known is None or known.op_fusion is None:
                self.causes[key] = (f"{self.device.backend} has no graph-rewrite switch the probe can try, so the cause "
                                    "is not diagnosed")
            else:
                off = probe_in_child([policy], self.profile, self.jit_mode(compiled), fp32, baseline=base,
                                     remapping=False)[policy]
                where = (f"{known.op_fusion_short}'s fused kernels ({known.fused_kernels}) are where the time went"
                         if not crawls(off, base) else f"{known.op_fusion_short} is not where the time went")
                self.causes[key] = (f"with {known.op_fusion} off {off.describe()}, so the cause is not known"
                                    if off.error is not None else
                                    f"with {known.op_fusion} off its step takes {off.short()}, "
                                    f"{slowdown(off, base)} float32's: {where}")
        return self.causes[key]

    def crawl_facts(self, policy: str, compiled: bool, fp32: str) -> str:
        """The probe's measured steps, the kernels' time, the efficiency and the cause."""
        mixed, base = self.probed(policy, compiled, fp32), self.probed(BASELINE, compiled, fp32)
        sol = self.speed_of_light(policy, compiled, fp32)
        bound = "at most " if mixed.stopped else ""
        return (f"{policy}'s step takes {mixed.short()} here, {slowdown(mixed, base)} float32's "
                f"{seconds(base.step_s)} (the crawl rule: over {CRAWL_FACTOR:g}x); its kernels alone take "
                f"{seconds(sol.seconds)} ({sol.tflops * 1e3:.3g} GFLOP/s), step efficiency {bound}"
                f"{sol.seconds / mixed.step_s:.2g}; {self.crawl_cause(policy, compiled, fp32)}")

    def would_take(self, test: str, policy: str, compiled: bool, fp32: str) -> str:
        """'would take about 20 s': `test` for `policy` at its probed step time (at least, where it was stopped)."""
        would = test_s(test, self.profile, self.data.x_train.shape[0], self.data.x_test.shape[0],
                       self.step_estimate(BASELINE, compiled, fp32), self.step_estimate(policy, compiled, fp32),
                       self.fit_seeds(test))
        return f"would take {'at least ' if self.probed(policy, compiled, fp32).stopped else ''}about {minutes(would)}"

    def crawl_reason(self, test: str, policy: str, jit_compile: bool, fp32: str) -> str:
        """'crawling: ' with the measured figures, and how long `test` would have taken for `policy`."""
        work = {"test_step_time": "timing its steps", "test_speedup": "timing its steps against float32's",
                "test_accuracy": f"its {self.fit_seeds(test)} accuracy fits",
                "test_seed_recipe_accuracy": f"its {self.fit_seeds(test)} fits of the seed's recipe",
                "test_memory": f"measuring its step memory ({MEMORY_PROBE_STEPS} steps in a child process)"}[test]
        return (f"crawling: {self.crawl_facts(policy, jit_compile, fp32)}; {work} "
                f"{self.would_take(test, policy, jit_compile, fp32)}; --mp-slow-policies runs it")

    def not_running(self, policy: str, compiled: bool, fp32: str) -> str | None:
        """Why `policy`'s step (or float32's, which every gate compares with) does not run here: its probe raised
        (out of memory aside, which has its own message when the test runs); None where both run."""
        for name in dict.fromkeys((policy, BASELINE)):
            error = self.probed(name, compiled, fp32).error
            if error is not None and not out_of_memory_text(error):
                d = self.device
                where = f"GPU {d.gpus[0].name}" if d.gpus else f"CPU {d.cpu_model or '?'}"
                return f"{name}'s step does not run here ({d.backend} on {where}): {error}"
        return None

    def stop_if_not_running(self, benchmark, policy: str, jit: str, fp32: str) -> None:
        """Fail a test whose step does not run here, in one line; skip it where no speedup was expected of the policy
        on this device anyway (float16 on a CPU), saying why. Kept in the gate summary either way."""
        compiled = self.compiled(jit)
        why = self.not_running(policy, compiled, fp32)
        if why is None:
            return
        expected = policy == BASELINE or self.expectation(policy, compiled=compiled).min_speedup is not None
        verdict = Verdict(False, expected, why if expected else f"{why} (no speedup is expected of it on this device)")
        self.record(benchmark, verdict)
        if not expected:
            pytest.skip(verdict.message)
        pytest.fail(verdict.message, pytrace=False)

    def skip_if_crawling(self, benchmark, test: str, policy: str, jit: str, fp32: str) -> None:
        """Skip `test` for a crawling policy, saying why, and keep the skip in the gate summary."""
        if why := self.crawling(test, policy, jit, fp32):
            self.record(benchmark, Verdict(True, False, why))
            pytest.skip(why)

    def crawling_policies(self) -> list[dict]:
        """Every probed mixed step that crawls here, with its figures: the run record's `crawling` list."""
        baselines = {(c, fp32): b for (p, c, fp32), b in self.probes.items() if p == BASELINE}
        out = []
        for (policy, compiled, _), probed in sorted(self.probes.items(), key=str):
            for (c, fp32), base in sorted(baselines.items(), key=str):
                if policy != BASELINE and c == compiled and self.crawls(policy, compiled, fp32):
                    out.append({"workload": self.profile.workload.name, "policy": policy, "compiled": compiled,
                                "fp32": fp32, "step_s": probed.step_s, "stopped": probed.stopped, "float32_step_s": base.step_s,
                                "cause": self.causes.get(self._probe_key(policy, compiled, fp32))})
        return out

    def record(self, benchmark, verdict) -> None:
        """Keep a gate's verdict for the summary, and in the saved result's extra_info."""
        outcome = "skip" if not verdict.expected else ("pass" if verdict.passed else "FAIL")
        self.verdicts.append((benchmark.fullname.split("::")[-1], outcome, verdict.message))
        benchmark.extra_info.update({"gate": outcome, "gate_message": verdict.message})

    def result_info(self, policy: str, jit: str, fp32: str, model, tf32=READ_NOW) -> dict:
        """What every result records: backend and version, compile mode as asked and as resolved, float32
        variant and the TF32 state it ran under (read now unless given), profile, data."""
        return {**self.facts(policy, jit, fp32), "jit_compile": bool(model.jit_compile),
                "tf32": self.tf32() if tf32 is READ_NOW else tf32}

    def facts(self, policy: str, jit: str, fp32: str) -> dict:
        """What every saved result starts with (mpmodel.measure.results): schema, workload, policy, backend,
        compile mode, float32 variant, profile, and where the data came from."""
        d = self.device
        return {**common_facts(self.profile.facts(), policy, d.backend, d.backend_version, jit, fp32, self.profile.name),
                "data_source": self.data.source if self.data is not None else None}

    @property
    def fp32_variants(self) -> tuple[str, ...]:
        return resolve_variants(self.settings.fp32, self.device.tf32_capable, self.device.tf32_enabled)

    def float32_matmuls(self, variant: str):
        """Context for a test body: the float32 variant's matmul precision on this backend."""
        return float32_matmuls(variant)

    def tf32(self) -> bool | None:
        """Whether float32 matmuls run as TF32 right now; None on a device without TF32 (CPU)."""
        return tf32_allowed() if self.device.gpu_visible else None

    def expectation(self, policy: str, tf32: bool | None = None, compiled: bool | None = None) -> Expectation:
        return expectation_for(self.device, policy, self.settings.min_speedup, tf32, compiled,
                               self.profile.harness_check, self.profile.workload.name)

    def own_expectation(self, policy: str) -> str:
        """The device's facts the table went by, and the option that records this machine's own expectation."""
        d = self.device
        if d.gpus:
            facts = f"this device: {d.gpus[0].name} (compute capability {d.gpus[0].capability})"
        else:
            flags = ", ".join(d.cpu_flags) or "none of " + "/".join(CPU_PRECISION_FLAGS)
            facts = f"this device: {d.cpu_vendor or 'unknown vendor'} CPU {d.cpu_model or '?'}, flags {flags}"
        return (f"{facts}; where this is this machine's normal, record its own expectation with "
                f"`mp_min_speedup = {policy}=<minimum or none>` in the ini file (or --mp-min-speedup)")

    def machine_info(self) -> dict:
        """The run's context for pytest-benchmark's machine_info. pytest-benchmark reads it once
        before data loads (to compare) and again when saving, so `data` is present only then."""
        info = {"device": self.device.as_dict(), "device_class": device_class(self.device),
                "backend": self.device.backend, "backend_version": self.device.backend_version,
                "profile": self.profile.name, "data": self.data.source if self.data is not None else None,
                "timing": TIMING_METHOD}
        info["key"] = label(describe({"mpmodel": info}))
        return info


def session_machine_info(contexts: dict[str, RunContext]) -> dict:
    """The session's context for machine_info: the first workload's, with every workload named and each
    distinct data source (one workload: exactly its context)."""
    first, *others = contexts.values()
    info = first.machine_info()
    if others:
        sources = dict.fromkeys(c.data.source if c.data is not None else None for c in contexts.values())
        info["data"] = ", ".join(str(s) for s in sources) if any(sources) else None
        info["workloads"] = list(contexts)
        info["key"] = label(describe({"mpmodel": info}))
    return info


def run_contexts(config) -> dict[str, RunContext]:
    """Each workload's context, by name, detecting the device on first use (imports the backend). They share
    the settings, the device and the gate verdicts."""
    if CONTEXTS not in config.stash:
        settings = config.stash[SETTINGS]
        # TensorFlow takes a GPU's whole memory on first use unless told to grow; the step probe and memory
        # children need their share beside this process. Set before the backend loads; a user's own setting wins.
        os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
        try:
            device = detect()
        except ImportError as exc:  # the Keras backend's framework is not installed
            raise pytest.UsageError(missing_backend_message(exc)) from None
        name = settings.profile if settings.profile != "auto" else default_profile_name(device.gpu_visible)
        verdicts: list = []
        chosen = [w for w in settings.workloads
                  if not settings.workloads_auto or device.gpu_visible or w.name == DEFAULT_WORKLOAD]
        config.stash[CONTEXTS] = {w.name: RunContext(settings, device, profile_of(w, name), verdicts=verdicts)
                                  for w in chosen}
    return config.stash[CONTEXTS]


def run_context(config, workload: str | None = None) -> RunContext:
    """The context of `workload` (by name), else of the session's first workload."""
    contexts = run_contexts(config)
    return contexts[workload] if workload is not None else next(iter(contexts.values()))


def load_session_data(contexts: dict[str, RunContext]) -> None:
    """Each running workload's data as --mp-data gives it (mpmodel.plugin.data_choice), into its context;
    pytest.UsageError with the loader's one line when a source cannot be used."""
    settings = next(iter(contexts.values())).settings
    try:
        loaded = load_all(parse_data_choice(settings.data),
                          {name: (c.profile.workload, c.profile.size) for name, c in contexts.items()}, settings.offline)
    except DataError as exc:
        raise pytest.UsageError(f"--mp-data: {exc}") from None
    for name, ctx in contexts.items():
        ctx.data = loaded[name]


def require_gpu(config) -> None:
    """--mp-require-gpu: stop at once, naming what was found, when no GPU is visible."""
    device = run_context(config).device
    if not device.gpu_visible:
        found = ", ".join(device.devices_seen) or "none"
        raise pytest.UsageError(
            f"--mp-require-gpu: no GPU visible; devices found: {found} (CPU {device.cpu_model}); "
            "check the driver and CUDA install (nvidia-smi)"
        )
