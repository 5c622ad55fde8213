"""The pytest plugin layer: the suite's options, the `mp_run` fixture and pytest's and pytest-benchmark's hooks.

This entry module holds hooks and the fixture only; the work sits beside it: `options` (the
`--mp-*` options and their ini twins), `run_context` (what benchmarks share), `backend_check`,
`header` (what the session says first), `records` (what saved runs carry), `saving` and
`benchmark_session` (atomic, never partial saves; the only code that touches pytest-benchmark's
private parts), `signals` (SIGTERM as Ctrl-C), `watchdog` (an interrupt that ends the session even inside
a native call), `step_child` (the real step probed in a child, every step under a time limit), `monitor`
(device state) and `out_of_memory`.
It may import the core and measure layers, never the history layer; importing it loads no
Keras and no framework (the run context does, when a benchmark first needs it).

Registered through the `pytest11` entry point named `mpmodel.plugin`, so an installed mpmodel
gives every pytest session its options; the repo's root conftest.py names the same module,
which pytest then registers once (`-p mpmodel.plugin` likewise; `-p no:mpmodel.plugin` turns it off).
"""

from __future__ import annotations

import time

import pytest

from mpmodel.core.policies import MIXED_POLICIES
from mpmodel.plugin import benchmark_session, ci_summary, header, history_store, options, out_of_memory, records, signals
from mpmodel.plugin.backend_check import check_backend_installed
from mpmodel.plugin.monitor import StateMonitor
from mpmodel.plugin.run_context import (
    ADAPTED,
    CONTEXT,
    CONTEXT_FIXTURE,
    DATA,
    MONITOR,
    SETTINGS,
    SIGTERM,
    STARTED,
    WATCHDOG,
    RunContext,
    load_checked_data,
    require_gpu,
    run_context,
)
from mpmodel.plugin.saving import unsaved_reason
from mpmodel.plugin.watchdog import Watchdog


def _reporter(config):
    return config.pluginmanager.get_plugin("terminalreporter")


def _say_through_capture(config, reporter):
    """A line to the terminal from inside a test, past pytest's output capture."""
    capture = config.pluginmanager.get_plugin("capturemanager")

    def say(line: str) -> None:
        if capture is None:
            reporter.write_line(line)
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    return say


def _store_saver(url, reporter):
    """after_save for install_atomic_saving: the run into the history store, one line either way."""
    def say(line):
        if reporter is not None:
            reporter.write_line(line)

    def after_save(output_json, path):
        history_store.save_to_store(url, output_json, path, say)
    return after_save


def pytest_addoption(parser):
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)  # before pytest-benchmark's, which reads benchmark_save_data once
def pytest_configure(config):
    config.stash[STARTED] = time.perf_counter()
    settings = options.resolve(config)
    config.stash[SETTINGS] = settings
    if settings.data not in ("auto", "synthetic"):  # a file or real MNIST: checked now, before any backend loads
        config.stash[DATA] = load_checked_data(settings)
    config.stash[SIGTERM] = signals.install_sigterm()
    if hasattr(config.option, "benchmark_save_data"):
        config.option.benchmark_save_data = True  # saved runs keep every round
    if settings.require_gpu:
        require_gpu(config)


def pytest_report_header(config):
    return header.settings_line(config.stash[SETTINGS])


def pytest_sessionstart(session):
    check_backend_installed()
    bench = benchmark_session.session_of(session.config)
    if bench is None:
        return
    problem = benchmark_session.unsupported(bench)
    reporter = _reporter(session.config)
    if problem is not None:
        if reporter is not None:
            reporter.write_line(f"mpmodel: {problem}: saves are not atomic and an interrupted run may be saved; "
                                f"install pytest-benchmark {benchmark_session.WRITTEN_FOR_MAJOR}.x", red=True)
        return
    session.config.stash[ADAPTED] = bench
    url = session.config.stash[SETTINGS].history
    benchmark_session.install_atomic_saving(bench, _store_saver(url, reporter) if url else None)
    if benchmark_session.compares_nothing(bench) and reporter is not None:
        reporter.write_line(
            f"mpmodel: --benchmark-compare found no saved run in {benchmark_session.storage_location(bench)}: "
            "nothing is compared this time; save a baseline first with --benchmark-autosave", yellow=True)


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
        config.stash[MONITOR] = StateMonitor().start()
    if config.option.collectonly or not any(CONTEXT_FIXTURE in getattr(item, "fixturenames", ()) for item in session.items):
        return  # nothing will run: nothing to measure, predict or guard
    config.stash[WATCHDOG] = Watchdog().install()  # SIGTERM/Ctrl-C end the session even inside a native call
    ctx = run_context(config)
    ctx.data = config.stash[DATA] if DATA in config.stash else load_checked_data(ctx.settings)
    reporter = _reporter(config)
    if reporter is not None:
        ctx.say = _say_through_capture(config, reporter)
        for line in header.context_lines(ctx):
            reporter.write_line(line)
        for line in header.cost_lines(ctx, session.items, started=config.stash.get(STARTED, None)):
            reporter.write_line(line)


@pytest.fixture(scope="session")
def mp_run(request) -> RunContext:
    """The session's run context; its data was loaded when collection finished."""
    return run_context(request.config)


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
        message = out_of_memory.failure_message(item, exc, item.config.stash.get(CONTEXT, None))
        if message is None:
            raise
        raise pytest.fail.Exception(message, pytrace=False) from None
    finally:
        if start is not None:
            bench.extra_info["device_state"] = monitor.summary(since=start)


def pytest_benchmark_update_machine_info(config, machine_info):
    machine_info["mpmodel"] = run_context(config).machine_info()


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """The session's settings, device state and gate verdicts, at the top level of the saved run."""
    monitor = config.stash.get(MONITOR, None)
    output_json["mpmodel"] = records.run_record(config.stash[SETTINGS], monitor.summary() if monitor is not None else None,
                                                config.stash.get(CONTEXT, None))


@pytest.hookimpl(wrapper=True)
def pytest_benchmark_compare_machine_info(config, benchmarksession, machine_info, compared_benchmark):
    """Say exactly which facts differ from the compared run, instead of pytest-benchmark's dump.

    The saved machine_info is swapped for the current one while pytest-benchmark's own hook runs,
    so its generic warning (which also crashes when the storage lies outside the working
    directory) stays quiet; it is restored before anything else reads the saved run.
    """
    saved = compared_benchmark.get("machine_info") or {}
    compared_benchmark["machine_info"] = machine_info
    try:
        return (yield)
    finally:
        compared_benchmark["machine_info"] = saved
        changes = records.context_changes(saved, machine_info)
        if changes:
            benchmarksession.logger.warning(f"mpmodel: the compared run ran on a different context: {'; '.join(changes)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    """Before pytest-benchmark saves: a session cut short (Ctrl-C, SIGTERM, a usage or internal error)
    saves nothing, so the history never holds a partial run."""
    bench = session.config.stash.get(ADAPTED, None)  # set at session start where the adapter applies
    reason = unsaved_reason(exitstatus)
    if bench is not None and reason and benchmark_session.cancel_saving(bench):
        reporter = _reporter(session.config)
        if reporter is not None:
            reporter.write_line(f"mpmodel: nothing saved to the history: {reason}", yellow=True)
    return (yield)


@pytest.hookimpl(trylast=True)  # the verdicts close the report, after pytest-benchmark's table
def pytest_terminal_summary(terminalreporter, config):
    ctx = config.stash.get(CONTEXT, None)
    if ctx is None or not ctx.verdicts:
        return
    terminalreporter.section("mpmodel gates")
    for name, outcome, message in ctx.verdicts:
        terminalreporter.write_line(f"{outcome:4s} {name}: {message}", red=outcome == "FAIL")
    title = f"mpmodel gates: {ctx.device.summary().split(';')[0]}, {ctx.profile.name} profile"
    try:
        written = ci_summary.append_summary(title, ctx.verdicts)
    except OSError as exc:
        terminalreporter.write_line(f"mpmodel: {ci_summary.SUMMARY_ENV} not written: {exc}", yellow=True)
    else:
        if written is not None:
            terminalreporter.write_line(f"mpmodel: gates appended to {written} ({ci_summary.SUMMARY_ENV})")


def pytest_unconfigure(config):
    monitor = config.stash.get(MONITOR, None)
    if monitor is not None:
        monitor.stop()
    signals.restore_sigterm(config.stash.get(SIGTERM, None))
    watchdog = config.stash.get(WATCHDOG, None)
    if watchdog is not None:
        watchdog.uninstall()
