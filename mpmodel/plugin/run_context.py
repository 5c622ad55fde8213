"""The session's shared state (`SuiteSession`: settings, device, gate verdicts) and one context per workload
(`RunContext`: profile, data, float32 fits, and each step's speed of light, probe and memory, keyed by StepKey).

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
from mpmodel.core.policies import BASELINE, JIT_MODES, POLICIES, ran_jit, resolve_jit
from mpmodel.core.profiles import DEFAULT_WORKLOAD, Profile, default_profile_name, flops_per_step, profile_of, step_kernels
from mpmodel.core.speed_of_light import kernel_runner
from mpmodel.core.step_key import StepKey
from mpmodel.measure.budget import NO_CUTS, Cuts
from mpmodel.measure.ceilings import HARNESS_SOL_BUDGET_S, HARNESS_SOL_WARMUP_S, SpeedOfLight, measure_speed_of_light
from mpmodel.measure.context import describe, label
from mpmodel.measure.cost import estimated_step_s, test_s
from mpmodel.measure.crawl import NOT_DIAGNOSED, crawl_evidence, crawl_headline, crawl_reason, fusion_cause, would_take
from mpmodel.measure.expectations import Expectation, device_class, expectation_for
from mpmodel.measure.gates import Verdict
from mpmodel.measure.probe import ProbedStep, crawls
from mpmodel.measure.results import GateOutcome, common_facts
from mpmodel.measure.rounds import TIMING_METHOD
from mpmodel.measure.summary import GateRecord, skip_line
from mpmodel.plugin.backend_check import missing_backend_message
from mpmodel.plugin.data_choice import load_all, parse_data_choice
from mpmodel.plugin.keys import state
from mpmodel.plugin.memory_child import measure_in_child
from mpmodel.plugin.out_of_memory import out_of_memory_text
from mpmodel.plugin.settings import Settings
from mpmodel.plugin.step_child import probe_in_child

READ_NOW = object()  # result_info: read the TF32 state at the call


@dataclass
class SuiteSession:
    """What the whole session shares: settings, device, every gate's verdict (for the summary and the saved
    run) and the terminal line writer. One per session; each workload's context holds it."""

    settings: Settings
    device: DeviceInfo
    verdicts: list = field(default_factory=list)  # (test id, outcome, message), in the order the gates ran
    gates: list = field(default_factory=list)  # mpmodel.measure.summary.GateRecord, the same gates with what they saved
    say: Callable[[str], None] = print  # a line to the terminal, outside pytest's capture (set at collection)
    verbose: bool = False  # -v: every progress line (set at collection)
    cuts: Cuts = NO_CUTS  # what --mp-budget cut from the run (mpmodel.plugin.budget, when collection ends)

    def record(self, benchmark, verdict: Verdict) -> None:
        """Keep a gate's verdict for the summary, and in the saved result's extra_info."""
        outcome = "skip" if not verdict.expected else ("pass" if verdict.passed else "FAIL")
        test_id = benchmark.fullname.split("::")[-1]
        self.verdicts.append((test_id, outcome, verdict.message))
        benchmark.extra_info.update(GateOutcome(outcome, verdict.message).fields())
        self.gates.append(GateRecord(test_id.split("[")[0], test_id, outcome, verdict.message, verdict.reason,
                                     dict(benchmark.extra_info)))

    def conclude(self, benchmark, verdict: Verdict) -> None:
        """The end of every gate: record the verdict, then skip where nothing was expected, fail in one line
        where the gate failed, return where it passed."""
        self.record(benchmark, verdict)
        if not verdict.expected:  # one line; the whole message is in the gates section (-v) and the saved result
            pytest.skip(skip_line(verdict.message, verdict.reason, benchmark.fullname.split("::")[-1].split("[")[0]))
        if not verdict.passed:
            pytest.fail(verdict.message, pytrace=False)

    def resolved(self, jit: str) -> str:
        """"on" or "off": what a compile mode (auto, on, off) resolves to on this backend and device."""
        return resolve_jit(jit, self.device.backend, self.device.gpu_visible)


@dataclass
class RunContext:
    """One workload's measurements in the session: its profile and data, float32 fits, and each step's speed
    of light, probe, crawl cause and memory, all keyed by the step (StepKey.same_step) and kept for the
    session."""

    session: SuiteSession
    profile: Profile
    data: Dataset | None = None  # loaded at collection's end
    float32_fits: dict = field(default_factory=dict)  # (recipe, order seed, StepKey) -> FitResult
    speeds_of_light: dict = field(default_factory=dict)  # StepKey.same_step -> SpeedOfLight
    memories: dict = field(default_factory=dict)  # StepKey.same_step -> StepMemory, measured in a child process
    probes: dict = field(default_factory=dict)  # StepKey.same_step -> ProbedStep, from a child process
    causes: dict = field(default_factory=dict)  # StepKey.same_step -> why its step crawls, where found

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def device(self) -> DeviceInfo:
        return self.session.device

    @property
    def say(self) -> Callable[[str], None]:
        return self.session.say

    def conclude(self, benchmark, verdict: Verdict) -> None:
        self.session.conclude(benchmark, verdict)

    def key(self, policy: str, jit: str, fp32: str) -> StepKey:
        """The key of a benchmark's step, built once in its body and passed whole."""
        return StepKey(policy, jit, fp32)

    def slot(self, key: StepKey) -> StepKey:
        """Where `key`'s measurements are kept: one slot per step as run, the compile mode filed under the
        session's first mode that resolves the same (auto and on share a slot where auto compiles)."""
        resolved = self.session.resolved(key.jit)
        modes = [m for m in (*self.settings.jit, *JIT_MODES) if self.session.resolved(m) == resolved]
        return key.same_step(modes[0])

    def speed_of_light(self, key: StepKey) -> SpeedOfLight:
        """The step's kernels alone in its policy's compute dtype, timed on first use and kept for the session."""
        slot = self.slot(key)
        if slot not in self.speeds_of_light:
            flops = flops_per_step(self.profile)
            brief = {"warmup_s": HARNESS_SOL_WARMUP_S, "budget_s": HARNESS_SOL_BUDGET_S} if self.profile.harness_check else {}
            try:
                with self.float32_matmuls(key.fp32):
                    # one compiled loop of K iterations on a GPU, where a call's dispatch is a share of a ms-scale step;
                    # on a CPU the loop's carried touches cost more than the dispatch they save (docs/gpu-check.md: the bound)
                    run = kernel_runner(step_kernels(self.profile), key.policy, self.session.resolved(key.jit),
                                        fused=self.device.gpu_visible)
                    self.speeds_of_light[slot] = measure_speed_of_light(run, flops, **brief)
            except Exception as exc:  # an op with no kernel in this dtype here: the step's tests say so, not the session
                self.speeds_of_light[slot] = SpeedOfLight(float("nan"), flops, 0, error=one_line(exc))
        return self.speeds_of_light[slot]

    @property
    def accuracy_tol(self) -> float:
        """The accuracy gate's tolerance: --mp-accuracy-tol where given, else the workload's own."""
        s = self.settings.accuracy_tol
        return s if s is not None else self.profile.workload.accuracy_tol

    def memory(self, key: StepKey) -> StepMemory:
        """The step's memory, measured in a fresh child process on first use and kept for the session."""
        slot = self.slot(key)
        if slot not in self.memories:
            self.memories[slot] = measure_in_child(key.policy, self.profile, slot.jit, key.fp32)
        return self.memories[slot]

    def fit_seeds(self, test: str, cuts: Cuts | None = None) -> int:
        """Paired seeds a fit test trains: the option's count, else the profile's, at most what `cuts` (the
        session's where not given) leave; 0 for other tests."""
        s, p, c = self.settings, self.profile, self.session.cuts if cuts is None else cuts
        if test == "test_accuracy":
            asked = p.accuracy_seeds if s.accuracy_seeds is None else s.accuracy_seeds
            return asked if c.accuracy_seeds is None else min(asked, c.accuracy_seeds)
        if test == "test_seed_recipe_accuracy":
            asked = p.seed_recipe_seeds if s.seed_recipe_seeds is None else s.seed_recipe_seeds
            return asked if c.seed_recipe_seeds is None else min(asked, c.seed_recipe_seeds)
        return 0

    @property
    def timing_pairs(self) -> int:
        """The speedup gate's most interleaved pairs: the profile's, or fewer where --mp-budget cut them."""
        cut = self.session.cuts.pairs
        return self.profile.timing_pairs if cut is None else min(cut, self.profile.timing_pairs)

    def probe_steps(self, needed) -> None:
        """Probe the real step of every key in `needed` (and float32's beside it) not probed yet, in a child
        process per compile mode and float32 variant, float32 first (mpmodel.plugin.step_child)."""
        groups: dict[tuple, set] = {}
        for key in needed:
            for k in (key.float32, key):
                slot = self.slot(k)
                if slot not in self.probes:
                    groups.setdefault((slot.jit, key.fp32), set()).add(k.policy)
        for (jit, fp32), policies in sorted(groups.items()):
            pending = [StepKey(p, jit, fp32) for p in POLICIES if p in policies]
            ordered = [k for k in pending if self.slot(k) not in self.probes]
            if not ordered:
                continue
            found = probe_in_child([k.policy for k in ordered], self.profile, jit, fp32,
                                   baseline=self.probes.get(self.slot(StepKey(BASELINE, jit, fp32))))
            for k in ordered:
                if k.policy in found:
                    self.probes[self.slot(k)] = found[k.policy]

    def probed(self, key: StepKey) -> ProbedStep:
        """The step as the probe measured it (probed now where the session has not yet)."""
        slot = self.slot(key)
        if slot not in self.probes:
            self.probe_steps({key})
        return self.probes[slot]

    def step_estimate(self, key: StepKey) -> float:
        """The step time the session plans with: the probe's steps back to back, else (the probe failed) the
        speed of light's at the assumed efficiency."""
        step = self.probed(key).loop_step_s
        if step is not None:
            return step
        sol = self.speed_of_light(key)
        return estimated_step_s(sol.seconds) if sol.error is None else 0.0  # a step that does not run costs nothing

    def crawls(self, key: StepKey) -> bool:
        """Whether the probed step takes more than CRAWL_FACTOR times float32's here and no option asks to
        time and fit it anyway: its tests then skip (or its speedup is decided on the probe) instead of running
        for hours."""
        if self.settings.slow_policies or key.policy == BASELINE:
            return False
        return crawls(self.probed(key), self.probed(key.float32))

    def crawl_cause(self, key: StepKey) -> str:
        """Where a crawling step's time went, where the backend lets the probe find out: the step probed once more
        with the backend's op fusion off (TensorFlow's graph remapper)."""
        slot = self.slot(key)
        if slot not in self.causes:
            base = self.probed(key.float32)
            known = traits(self.device.backend)
            if known is None or known.op_fusion is None:
                self.causes[slot] = NOT_DIAGNOSED.format(backend=self.device.backend)
            else:
                off = probe_in_child([key.policy], self.profile, slot.jit, key.fp32, baseline=base,
                                     remapping=False)[key.policy]
                self.causes[slot] = fusion_cause(known.op_fusion, known.op_fusion_short, known.fused_kernels, off, base)
        return self.causes[slot]

    def crawl_evidence(self, key: StepKey) -> str:
        """The probe's measured steps, the kernels' time, the efficiency and the cause."""
        return crawl_evidence(key.policy, self.probed(key), self.probed(key.float32), self.speed_of_light(key),
                           self.crawl_cause(key))

    def would_take(self, test: str, key: StepKey) -> str:
        """'would take about 20 s': `test` for the step at its probed time (at least, where it was stopped)."""
        needed = test_s(test, self.profile, self.data.x_train.shape[0], self.data.x_test.shape[0],
                        self.step_estimate(key.float32), self.step_estimate(key), self.fit_seeds(test))
        return would_take(needed, self.probed(key).stopped)

    def crawling(self, test: str, key: StepKey) -> str | None:
        """Why `test` does not run the step in full ('crawling: ' and the figures), or None where it does."""
        if not self.crawls(key):
            return None
        return crawl_reason(test, self.fit_seeds(test), self.crawl_evidence(key), self.would_take(test, key))

    def not_running(self, key: StepKey) -> str | None:
        """Why the step (or float32's, which every gate compares with) does not run here: its probe raised (out
        of memory aside, which has its own message when the test runs); None where both run."""
        for k in dict.fromkeys((key, key.float32)):
            error = self.probed(k).error
            if error is not None and not out_of_memory_text(error):
                d = self.device
                where = f"GPU {d.gpus[0].name}" if d.gpus else f"CPU {d.cpu_model or '?'}"
                return f"{k.policy}'s step does not run here ({d.backend} on {where}): {error}"
        return None

    def stop_if_not_running(self, benchmark, key: StepKey) -> None:
        """Fail a test whose step does not run here, in one line; skip it where no speedup was expected of the policy
        on this device anyway (float16 on a CPU), saying why. Kept in the gate summary either way. Every test
        calls it first: the result's facts (workload, policy, compile mode) are set here, so that a gate that ends
        before it measures still has its row in the summary."""
        benchmark.extra_info.update(self.facts(key))
        cut = self.session.cuts.cut(self.profile.workload.name, key.fp32)
        if cut is not None:
            self.conclude(benchmark, Verdict(False, False, f"not measured: {cut} was cut by --mp-budget "
                                                           f"{self.settings.budget:g} to fit the run in it"))
        why = self.not_running(key)
        if why is None:
            return
        expected = key.policy == BASELINE or self.expectation(key.policy, jit=key.jit).min_speedup is not None
        self.conclude(benchmark, Verdict(False, expected, why if expected else
                                         f"{why} (no speedup is expected of it on this device)"))

    def skip_if_crawling(self, benchmark, test: str, key: StepKey) -> None:
        """Skip `test` for a crawling policy, saying why, and keep the skip in the gate summary."""
        if why := self.crawling(test, key):
            self.conclude(benchmark, Verdict(True, False, why, crawl_headline(self.crawl_evidence(key))))

    def crawling_policies(self) -> list[dict]:
        """Every probed mixed step that crawls here, with its figures: the run record's `crawling` list."""
        baselines = {(k.jit, k.fp32): b for k, b in self.probes.items() if k.policy == BASELINE}
        out = []
        for key, probed in sorted(self.probes.items()):
            for (jit, fp32), base in sorted(baselines.items()):
                step = StepKey(key.policy, jit, fp32)
                if key.policy != BASELINE and jit == key.jit and self.crawls(step):
                    out.append({"workload": self.profile.workload.name, "policy": key.policy,
                                "compiled": self.session.resolved(jit) == "on", "jit": jit,
                                "fp32": fp32, "step_s": probed.step_s, "stopped": probed.stopped,
                                "float32_step_s": base.step_s, "cause": self.causes.get(self.slot(step))})
        return out

    def result_info(self, key: StepKey, model, tf32=READ_NOW) -> dict:
        """What every result records: backend and version, compile mode as asked and as resolved, float32
        variant and the TF32 state it ran under (read now unless given), profile, data."""
        return {**self.facts(key), "jit_compile": ran_jit(model) == "on",
                "tf32": self.tf32() if tf32 is READ_NOW else tf32}

    def facts(self, key: StepKey) -> dict:
        """What every saved result starts with (mpmodel.measure.results): schema, workload, policy, backend,
        compile mode, float32 variant, profile, and where the data came from."""
        d = self.device
        return {**common_facts(self.profile.facts(), key.policy, d.backend, d.backend_version, key.jit, key.fp32,
                                 self.profile.name),
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

    def expectation(self, policy: str, tf32: bool | None = None, jit: str | None = None) -> Expectation:
        """The expectation that gates `policy` here; `jit`: the compile mode it ran under (None: either)."""
        return expectation_for(self.device, policy, self.settings.min_speedup, tf32,
                               None if jit is None else self.session.resolved(jit),
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
    one SuiteSession: the settings, the device and the gate verdicts."""
    st = state(config)
    if st.contexts is None:
        settings = st.settings
        # TensorFlow takes a GPU's whole memory on first use unless told to grow; the step probe and memory
        # children need their share beside this process. Set before the backend loads; a user's own setting wins.
        os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
        try:
            device = detect()
        except ImportError as exc:  # the Keras backend's framework is not installed
            raise pytest.UsageError(missing_backend_message(exc)) from None
        name = settings.profile if settings.profile != "auto" else default_profile_name(device.gpu_visible)
        shared = SuiteSession(settings, device)
        chosen = [w for w in settings.workloads
                  if not settings.workloads_auto or device.gpu_visible or w.name == DEFAULT_WORKLOAD]
        st.contexts = {w.name: RunContext(shared, profile_of(w, name)) for w in chosen}
    return st.contexts


def suite_session(config) -> SuiteSession | None:
    """The session's shared state, where the suite's contexts have been built; None before."""
    contexts = state(config).contexts
    return next(iter(contexts.values())).session if contexts else None


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
