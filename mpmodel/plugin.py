"""The pytest plugin: options, parametrization by profile and policy, session header,
device details in pytest-benchmark's machine_info, and the shared run context.

Loaded by the root conftest.py (`pytest_plugins`) or with `-p mpmodel.plugin`.
Importing it does not import TensorFlow; the run context does, when a benchmark needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from mpmodel import options
from mpmodel.policies import MIXED_POLICIES

SETTINGS = pytest.StashKey()
CONTEXT = pytest.StashKey()
MONITOR = pytest.StashKey()  # mpmodel.monitor.StateMonitor, while benchmarks run
SIGTERM = pytest.StashKey()  # the SIGTERM handler to restore at the end
DATA = pytest.StashKey()  # mpmodel.data.Dataset, where --mp-data named a file or real MNIST
CONTEXT_FIXTURE = "mp_run"


@dataclass
class RunContext:
    """Everything a benchmark shares: settings, device, profile, data, float32 baselines."""

    settings: options.Settings
    device: object  # mpmodel.device.DeviceInfo
    profile: object  # mpmodel.profiles.Profile
    data: object = None  # mpmodel.data.Dataset, loaded at collection's end
    float32_fits: dict = field(default_factory=dict)  # (order seed, compile mode, float32 variant) -> FitResult
    verdicts: list = field(default_factory=list)  # (test id, outcome, message) for the summary

    def record(self, benchmark, verdict) -> None:
        """Keep a gate's verdict for the summary, and in the saved result's extra_info."""
        outcome = "skip" if not verdict.expected else ("pass" if verdict.passed else "FAIL")
        self.verdicts.append((benchmark.fullname.split("::")[-1], outcome, verdict.message))
        benchmark.extra_info.update({"gate": outcome, "gate_message": verdict.message})

    def result_info(self, jit: str, fp32: str, model) -> dict:
        """What every result records: backend and version, compile mode as asked and as resolved, float32
        variant and the TF32 state it ran under, profile, data."""
        return {"backend": self.device.backend, "backend_version": self.device.backend_version,
                "jit": jit, "jit_compile": bool(model.jit_compile), "fp32": fp32, "tf32": self.tf32(),
                "profile": self.profile.name,
                "data_source": self.data.source if self.data is not None else None}

    @property
    def fp32_variants(self) -> tuple[str, ...]:
        from mpmodel.fp32 import resolve_variants  # noqa: PLC0415

        return resolve_variants(self.settings.fp32, self.device.gpu_visible)

    def float32_matmuls(self, variant: str):
        """Context for a test body: the float32 variant's matmul precision on this backend."""
        from mpmodel.fp32 import float32_matmuls  # noqa: PLC0415

        return float32_matmuls(variant, self.device.backend)

    def tf32(self) -> bool | None:
        """Whether float32 matmuls run as TF32 right now; None on a device without TF32 (CPU)."""
        from mpmodel.fp32 import tf32_allowed  # noqa: PLC0415

        return tf32_allowed(self.device.backend) if self.device.gpu_visible else None

    def expectation(self, policy: str, tf32: bool | None = None, compiled: bool | None = None):
        from mpmodel.expectations import expectation_for  # noqa: PLC0415

        return expectation_for(self.device, policy, self.settings.min_speedup, tf32, compiled)

    def machine_info(self) -> dict:
        """The run's context for pytest-benchmark's machine_info. pytest-benchmark reads it once
        before data loads (to compare) and again when saving, so `data` is present only then."""
        from mpmodel.context import describe, label  # noqa: PLC0415
        from mpmodel.expectations import device_class  # noqa: PLC0415

        info = {"device": self.device.as_dict(), "device_class": device_class(self.device),
                "backend": self.device.backend, "backend_version": self.device.backend_version,
                "profile": self.profile.name, "data": self.data.source if self.data is not None else None}
        info["key"] = label(describe({"mpmodel": info}))
        return info


BACKEND_EXTRAS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def configured_backend() -> tuple[str, str]:
    """(backend, where it was chosen) as Keras 3 will choose it: KERAS_BACKEND, else the "backend" of
    $KERAS_HOME/keras.json (default ~/.keras), else tensorflow. Reads no framework."""
    import json  # noqa: PLC0415
    import os  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "KERAS_BACKEND"
    config = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "keras.json"
    try:
        backend = json.loads(config.read_text()).get("backend")
    except (OSError, ValueError, AttributeError):
        backend = None
    return (backend, str(config)) if backend else ("tensorflow", "Keras's default")


def missing_backend_message(exc: ImportError) -> str:
    """One line: which backend Keras wanted, why it failed, and what is installed instead."""
    import importlib.util  # noqa: PLC0415

    backend, where = configured_backend()
    installed = [b for b in BACKEND_EXTRAS if importlib.util.find_spec(b) is not None]
    fixes = [f"pip install 'mpmodel[{BACKEND_EXTRAS[backend]}]'"] if backend in BACKEND_EXTRAS else []
    fixes += [f"KERAS_BACKEND={b}" for b in installed if b != backend]
    return (f"Keras backend {backend} (from {where}) cannot load ({exc}); "
            f"installed backends: {', '.join(installed) or 'none'}; fix: {' or '.join(fixes) or 'set KERAS_BACKEND'}")


def check_backend_installed() -> None:
    """Stop with one line, before any test module imports Keras, when the backend is not installed."""
    import importlib.util  # noqa: PLC0415

    backend, _ = configured_backend()
    if importlib.util.find_spec(backend) is None:
        raise pytest.UsageError(missing_backend_message(ImportError(f"No module named '{backend}'")))


def run_context(config) -> RunContext:
    """The session's context, detecting the device on first use (imports the backend)."""
    if CONTEXT not in config.stash:
        from mpmodel.device import detect  # noqa: PLC0415
        from mpmodel.profiles import default_profile_name, get_profile  # noqa: PLC0415

        settings = config.stash[SETTINGS]
        try:
            device = detect()
        except ImportError as exc:  # the Keras backend's framework is not installed
            raise pytest.UsageError(missing_backend_message(exc)) from None
        name = settings.profile if settings.profile != "auto" else default_profile_name(device.gpu_visible)
        config.stash[CONTEXT] = RunContext(settings, device, get_profile(name))
    return config.stash[CONTEXT]


def load_checked_data(settings):
    """The session's data; pytest.UsageError with the loader's one line when it cannot be used."""
    from mpmodel.data import DataError, load_data  # noqa: PLC0415

    try:
        return load_data(settings.data, offline=settings.offline)
    except DataError as exc:
        raise pytest.UsageError(f"--mp-data: {exc}") from None


def pytest_addoption(parser):
    options.add_options(parser)


def pytest_configure(config):
    from mpmodel.signals import install_sigterm  # noqa: PLC0415

    settings = options.resolve(config)
    config.stash[SETTINGS] = settings
    if settings.data not in ("auto", "synthetic"):  # a file or real MNIST: checked now, before any backend loads
        config.stash[DATA] = load_checked_data(settings)
    config.stash[SIGTERM] = install_sigterm()
    if hasattr(config.option, "benchmark_save_data"):
        config.option.benchmark_save_data = True  # saved runs keep every round
    if settings.require_gpu:
        device = run_context(config).device
        if not device.gpu_visible:
            found = ", ".join(device.devices_seen) or "none"
            raise pytest.UsageError(
                f"--mp-require-gpu: no GPU visible; devices found: {found} (CPU {device.cpu_model}); "
                "check the driver and CUDA install (nvidia-smi)"
            )


def pytest_report_header(config):
    s = config.stash[SETTINGS]
    return (f"mpmodel: profile={s.profile} policies={','.join(s.policies)} jit={','.join(s.jit)} "
            f"fp32={','.join(s.fp32)} data={s.data}{' (offline)' if s.offline else ''} "
            f"accuracy_tol={s.accuracy_tol} min_speedup={s.min_speedup or 'table'}")


def pytest_generate_tests(metafunc):
    names = metafunc.fixturenames
    if CONTEXT_FIXTURE not in names or ("policy" not in names and "mixed_policy" not in names):
        return
    ctx = run_context(metafunc.config)
    metafunc.parametrize("profile_name", [ctx.profile.name])
    if "jit" in names:
        metafunc.parametrize("jit", list(ctx.settings.jit), ids=[f"jit_{m}" for m in ctx.settings.jit])
    if "fp32" in names:
        variants = ctx.fp32_variants
        metafunc.parametrize("fp32", list(variants), ids=[f"fp32_{v}" for v in variants])
    if "policy" in names:
        metafunc.parametrize("policy", list(ctx.settings.policies))
    else:
        metafunc.parametrize("mixed_policy", [p for p in ctx.settings.policies if p in MIXED_POLICIES])


def pytest_collection_finish(session):
    config = session.config
    if any("benchmark" in getattr(item, "fixturenames", ()) for item in session.items):
        from mpmodel.monitor import StateMonitor  # noqa: PLC0415

        config.stash[MONITOR] = StateMonitor().start()
    if not any(CONTEXT_FIXTURE in getattr(item, "fixturenames", ()) for item in session.items):
        return
    from mpmodel.expectations import device_class  # noqa: PLC0415

    ctx = run_context(config)
    ctx.data = config.stash[DATA] if DATA in config.stash else load_checked_data(ctx.settings)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    p = ctx.profile
    reporter.write_line(f"mpmodel profile: {p.name} ({p.units} units, batch {p.batch_size}, {p.epochs} epochs; {p.description})")
    why = f"; {ctx.data.note}" if ctx.data.note else ""
    reporter.write_line(f"mpmodel data: {ctx.data.source} ({ctx.data.x_train.shape[0]} train / "
                        f"{ctx.data.x_test.shape[0]} test{why})")
    reporter.write_line(f"mpmodel device: {ctx.device.summary()}")
    reporter.write_line(f"mpmodel device class: {device_class(ctx.device)}")
    from mpmodel.policies import expected_jit_compile  # noqa: PLC0415

    for variant in ctx.fp32_variants:
        with ctx.float32_matmuls(variant):
            tf32 = ctx.tf32()
        against = "" if tf32 is None else f" against float32 {variant} (TF32 {'on' if tf32 else 'off'})"
        for mode in ctx.settings.jit:
            compiled = expected_jit_compile(mode, ctx.device.backend, ctx.device.gpu_visible)
            for policy in ctx.settings.policies:
                if policy in MIXED_POLICIES:
                    e = ctx.expectation(policy, tf32, compiled)
                    want = f">= {e.min_speedup}x" if e.min_speedup is not None else "no speedup expected"
                    reporter.write_line(f"mpmodel expects {policy} (jit {mode}){against}: {want} ({e.source}: {e.reason})")


@pytest.fixture(scope="session")
def mp_run(request) -> RunContext:
    """The session's run context; its data was loaded when collection finished."""
    return run_context(request.config)


def pytest_benchmark_update_machine_info(config, machine_info):
    machine_info["mpmodel"] = run_context(config).machine_info()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Record the device state over each benchmark's run in its extra_info; fail a test that runs out of
    memory with the batch, policy and free memory, and free what it held so the session goes on."""
    monitor = item.config.stash.get(MONITOR, None)
    bench = getattr(item, "funcargs", {}).get("benchmark")
    start = monitor.mark() if monitor is not None and bench is not None else None
    try:
        return (yield)
    except Exception as exc:
        ctx = item.config.stash.get(CONTEXT, None)
        from mpmodel.faults import is_out_of_memory  # noqa: PLC0415

        if ctx is None or not is_out_of_memory(exc):
            raise
        from mpmodel.faults import free_memory, out_of_memory_message, release_memory  # noqa: PLC0415

        params = getattr(getattr(item, "callspec", None), "params", {})
        policy = params.get("policy") or params.get("mixed_policy")
        free = free_memory(ctx.device.gpu_visible)  # read before release: what the failed step faced
        release_memory()
        raise pytest.fail.Exception(out_of_memory_message(exc, policy, ctx.profile, free), pytrace=False) from None
    finally:
        if start is not None:
            bench.extra_info["device_state"] = monitor.summary(since=start)


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """The session's settings, device state and gate verdicts, at the top level of the saved run."""
    settings, monitor = config.stash[SETTINGS], config.stash.get(MONITOR, None)
    ctx = config.stash.get(CONTEXT, None)
    output_json["mpmodel"] = {
        "format": 1,
        "settings": {"profile": settings.profile, "policies": list(settings.policies), "jit": list(settings.jit),
                     "fp32": list(settings.fp32), "data": settings.data, "offline": settings.offline,
                     "accuracy_tol": settings.accuracy_tol,
                     "min_speedup": settings.min_speedup},
        "device_state": monitor.summary() if monitor is not None else None,
        "verdicts": [{"test": t, "outcome": o, "message": m} for t, o, m in (ctx.verdicts if ctx else [])],
    }


@pytest.hookimpl(wrapper=True)
def pytest_benchmark_compare_machine_info(config, benchmarksession, machine_info, compared_benchmark):
    """Say exactly which facts differ from the compared run, instead of pytest-benchmark's dump.

    The saved machine_info is swapped for the current one while pytest-benchmark's own hook runs,
    so its generic warning (which also crashes when the storage lies outside the working
    directory) stays quiet; it is restored before anything else reads the saved run.
    """
    from mpmodel.context import describe, diff  # noqa: PLC0415

    saved = compared_benchmark.get("machine_info") or {}
    compared_benchmark["machine_info"] = machine_info
    try:
        return (yield)
    finally:
        compared_benchmark["machine_info"] = saved
        current = machine_info.get("mpmodel") or {}
        changes = diff(describe(saved), describe(machine_info), ignore=() if current.get("data") else ("data",))
        if changes:
            benchmarksession.logger.warning(f"mpmodel: the compared run ran on a different context: {'; '.join(changes)}")


def pytest_unconfigure(config):
    from mpmodel.signals import restore_sigterm  # noqa: PLC0415

    monitor = config.stash.get(MONITOR, None)
    if monitor is not None:
        monitor.stop()
    restore_sigterm(config.stash.get(SIGTERM, None))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    """Before pytest-benchmark saves: a session cut short (Ctrl-C, SIGTERM, a usage or internal error)
    saves nothing, so the history never holds a partial run."""
    from mpmodel.saving import cancel_saving, unsaved_reason  # noqa: PLC0415

    bench = getattr(session.config, "_benchmarksession", None)
    reason = unsaved_reason(exitstatus)
    if bench is not None and reason and cancel_saving(bench):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"mpmodel: nothing saved to the history: {reason}", yellow=True)
    return (yield)


def pytest_terminal_summary(terminalreporter, config):
    ctx = config.stash.get(CONTEXT, None)
    if ctx is None or not ctx.verdicts:
        return
    terminalreporter.section("mpmodel gates")
    for name, outcome, message in ctx.verdicts:
        terminalreporter.write_line(f"{outcome:4s} {name}: {message}", red=outcome == "FAIL")


def pytest_sessionstart(session):
    from mpmodel.saving import install  # noqa: PLC0415

    check_backend_installed()
    bench = getattr(session.config, "_benchmarksession", None)
    if bench is not None:
        install(bench)
    if bench is not None and bench.compare and not bench.compared_mapping:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"mpmodel: --benchmark-compare found no saved run in {bench.storage}: nothing is compared "
                "this time; save a baseline first with --benchmark-autosave", yellow=True)
