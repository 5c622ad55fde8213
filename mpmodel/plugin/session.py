"""The suite's hooks, registered only in sessions that use it (mpmodel.plugin's `activate`).

A session uses the suite when it sets one of the `--mp-*` options or collects a test that uses the
`mp_run` fixture; before that nothing here is imported, so a session that never asks for the suite gets
pytest-benchmark's own behaviour and none of ours. `start` resolves the settings (each bad value one line)
and installs SIGTERM-as-Ctrl-C; when collection ends, the suite's benchmarks get pytest-benchmark's save
data, atomic saving, the device monitor, the watchdog, the checked data of every workload and the header's
measured lines (speed of light, step probe, prediction).
"""

from __future__ import annotations

import os
import time

import pytest

from mpmodel.core.data import DataError
from mpmodel.core.policies import MIXED_POLICIES
from mpmodel.core.step_summary import SUMMARY_ENV
from mpmodel.core.workload import WorkloadError, check_models
from mpmodel.measure import summary
from mpmodel.plugin import (
    benchmark_session,
    budget,
    ci_summary,
    header,
    history_store,
    out_of_memory,
    preflight,
    records,
    signals,
)
from mpmodel.plugin.backend_check import check_backend_installed
from mpmodel.plugin.keys import CONTEXT_FIXTURE, WORKLOAD_ARG, state
from mpmodel.plugin.monitor import StateMonitor
from mpmodel.plugin.run_context import (
    load_session_data,
    require_gpu,
    run_context,
    run_contexts,
    session_machine_info,
    suite_session,
)
from mpmodel.plugin.saving import unsaved_reason
from mpmodel.plugin.settings import resolve
from mpmodel.plugin.watchdog import Watchdog
from mpmodel.store.runs import known_branch

# A CI's branch, where its checkout is a detached head: a pull request's source branch (GitHub Actions), the pushed
# branch (GitHub Actions, GitLab CI, Jenkins), first one set wins.
CI_BRANCH_ENV = ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME")

PLUGIN_DIR = os.path.realpath(os.path.dirname(__file__)) + os.sep  # where the gates' skips are raised

# The frameworks' own deprecation warnings (Keras under NumPy 2: hundreds per run), which a user running the suite
# from their project can do nothing about; this repo's pyproject.toml filters the same.
FRAMEWORK_WARNINGS = ("ignore::DeprecationWarning:tensorflow.*", "ignore::DeprecationWarning:keras.*")


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


def start(config) -> None:
    """The suite's settings, read once (pytest.UsageError names a bad one); SIGTERM handled as Ctrl-C from here
    on. Data loads when collection ends, for the workloads the session runs."""
    check_backend_installed()  # one line, before a test module imports Keras
    settings = resolve(config)
    st = state(config)
    st.settings = settings
    st.sigterm = signals.install_sigterm()
    for line in FRAMEWORK_WARNINGS:  # read per test by pytest: the suite's own deprecations, not the user's
        config.addinivalue_line("filterwarnings", line)
    if settings.require_gpu:
        require_gpu(config)


def parametrize(metafunc) -> None:
    """The suite's axes for a test that uses `mp_run`: workload (its profile's id: the size alone for the seed's
    MLP), compile mode, float32 variant, and the policies or the mixed ones."""
    names = metafunc.fixturenames
    contexts = run_contexts(metafunc.config)
    metafunc.parametrize(WORKLOAD_ARG, list(contexts), ids=[c.profile.id for c in contexts.values()], scope="session")
    if "policy" not in names and "mixed_policy" not in names:
        return
    ctx = run_context(metafunc.config)
    if "jit" in names:
        metafunc.parametrize("jit", list(ctx.settings.jit), ids=[f"jit_{m}" for m in ctx.settings.jit])
    if "fp32" in names:
        variants = ctx.fp32_variants
        metafunc.parametrize("fp32", list(variants), ids=[f"fp32_{v}" for v in variants])
    if "policy" in names:
        metafunc.parametrize("policy", list(ctx.settings.policies))
    else:
        metafunc.parametrize("mixed_policy", [p for p in ctx.settings.policies if p in MIXED_POLICIES])


def check_workload_fits(ctx) -> None:
    """pytest.UsageError in one line where a workload's model under a policy of the session does not output
    float32 or its data does not fit its model."""
    try:
        check_models(ctx.profile.workload, ctx.profile.size, ctx.data, ctx.settings.policies)
    except (WorkloadError, DataError) as exc:
        raise pytest.UsageError(str(exc)) from None


def _adapt_saving(config, reporter) -> None:
    """pytest-benchmark's session: every round saved, saved atomically (and into the history store)."""
    bench = benchmark_session.session_of(config)
    if bench is None:
        return
    bench.save_data = True  # saved runs keep every round (read when saving)
    benchmark_session.fit_table(bench)
    problem = benchmark_session.unsupported(bench)
    if problem is not None:
        if reporter is not None:
            reporter.write_line(f"mpmodel: {problem}: saves are not atomic and an interrupted run may be saved; "
                                f"install pytest-benchmark {benchmark_session.WRITTEN_FOR_MAJOR}.x", red=True)
        return
    state(config).adapted = bench
    url = state(config).settings.history
    benchmark_session.install_atomic_saving(bench, _store_saver(url, reporter) if url else None)
    if benchmark_session.compares_nothing(bench) and reporter is not None:
        reporter.write_line(
            f"mpmodel: --benchmark-compare found no saved run in {benchmark_session.storage_location(bench)}: "
            "nothing is compared this time; save a baseline first with --benchmark-autosave", yellow=True)


def _compare_contexts(config) -> None:
    """Say which facts differ from each compared suite run (held back from pytest-benchmark's configure)."""
    current = {"mpmodel": session_machine_info(run_contexts(config))}
    for bench, saved, host in state(config).compared:
        changes = records.context_changes(saved, {**host, **current})
        if changes:
            bench.logger.warning(f"mpmodel: the compared run ran on a different context: {'; '.join(changes)}")


def pytest_collection_finish(session):
    """The session uses the suite (its options or its fixture): saves become whole and keep every round, and
    benchmarks run under the device monitor; where the suite's own tests run, the watchdog, each workload's
    checked data and the measured header too."""
    config = session.config
    suite_items = any(CONTEXT_FIXTURE in getattr(item, "fixturenames", ()) for item in session.items)
    st = state(config)
    if config.option.collectonly or not (suite_items or st.asked):
        return  # nothing will run, or nothing of the suite's (its tests deselected): nothing to adapt or measure
    st.in_use = True
    reporter = _reporter(config)
    if reporter is not None and config.get_verbosity() <= 0 and session.items and all(
            CONTEXT_FIXTURE in getattr(item, "fixturenames", ()) for item in session.items):
        reporter.reportchars = reporter.reportchars.replace("s", "")  # the summary table gives each skip and why
    if reporter is not None:
        reporter.write_line(header.settings_line(st.settings))
    _adapt_saving(config, reporter)
    if any("benchmark" in getattr(item, "fixturenames", ()) for item in session.items):
        st.monitor = StateMonitor().start()
    if not suite_items:
        return
    st.watchdog = Watchdog().install()  # SIGTERM/Ctrl-C end the session even inside a native call
    contexts = run_contexts(config)
    load_session_data(contexts)
    for ctx in contexts.values():
        check_workload_fits(ctx)
    _compare_contexts(config)
    if reporter is None:
        return
    shared, verbose = next(iter(contexts.values())).session, config.get_verbosity() > 0
    shared.say, shared.verbose = _say_through_capture(config, reporter), verbose
    for ctx in contexts.values():
        for line in header.context_lines(ctx, verbose):
            reporter.write_line(header.fit_screen(line, verbose))
    for ctx in contexts.values():
        for line in preflight.preflight_lines(ctx, session.items, started=st.started, verbose=verbose):
            reporter.write_line(header.fit_screen(line, verbose))
    if st.settings.budget is not None:
        try:
            line = budget.plan_session(list(contexts.values()), session.items, time.perf_counter() - st.started)
        except budget.OverBudget as exc:
            raise pytest.UsageError(str(exc)) from None
        reporter.write_line(header.fit_screen(line, verbose))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A gate's skip reported at the test's own location (as pytest does for a skip mark), not at the line in
    mpmodel's plugin that raised it."""
    report = yield
    if report.skipped and call.when == "call" and isinstance(report.longrepr, tuple) and \
            os.path.realpath(str(report.longrepr[0])).startswith(PLUGIN_DIR):
        path, line = item.reportinfo()[:2]
        report.longrepr = (str(path), (line or 0) + 1, report.longrepr[2])
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Record the device state over each benchmark's run in its extra_info; fail a test that runs out of
    memory with the batch, policy and free memory, and free what it held so the session goes on."""
    monitor = state(item.config).monitor
    bench = getattr(item, "funcargs", {}).get("benchmark")
    start_mark = monitor.mark() if monitor is not None and bench is not None else None
    try:
        return (yield)
    except Exception as exc:
        message = out_of_memory.failure_message(item, exc, getattr(item, "funcargs", {}).get(CONTEXT_FIXTURE))
        if message is None:
            raise
        raise pytest.fail.Exception(message, pytrace=False) from None
    finally:
        if start_mark is not None:
            bench.extra_info["device_state"] = monitor.summary(since=start_mark)


def pytest_benchmark_update_machine_info(config, machine_info):
    """The run's context, once the suite's tests are known (pytest-benchmark asks at configure time too,
    before that: its comparison is then made when collection ends)."""
    st = state(config)
    if st.in_use and st.contexts is not None:
        machine_info["mpmodel"] = session_machine_info(st.contexts)


def pytest_benchmark_update_commit_info(config, commit_info):
    """The branch where git has none to give (a CI checkout's detached head): the CI's own name for it, so that a
    baseline can be chosen by branch (mpmodel.store.baseline); where it came from is recorded beside it."""
    if known_branch(commit_info.get("branch")) is not None:
        return
    for env in CI_BRANCH_ENV:
        if os.environ.get(env, "").strip():
            commit_info["branch"], commit_info["branch_from"] = os.environ[env].strip(), env
            return


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """The session's settings, device state and gate verdicts, at the top level of the saved run."""
    st = state(config)
    if not st.in_use:
        return
    shared = suite_session(config)
    output_json["mpmodel"] = records.run_record(st.settings, st.monitor.summary() if st.monitor is not None else None,
                                                shared.verdicts if shared else [], list((st.contexts or {}).values()))


@pytest.hookimpl(tryfirst=True)
def pytest_benchmark_group_stats(config, benchmarks, group_by):
    """The table's timed steps a kind each, fits and memory children left out, where the user chose no grouping
    (--benchmark-group-by): pytest-benchmark's own grouping otherwise."""
    st = state(config)
    if group_by != "group" or not st.in_use:
        return None
    groups, st.left_out_of_table = benchmark_session.suite_groups(benchmarks)
    return groups


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    """Before pytest-benchmark saves: a session cut short (Ctrl-C, SIGTERM, a usage or internal error)
    saves nothing, so the history never holds a partial run."""
    bench = state(session.config).adapted  # set when collection ended where the adapter applies
    reason = unsaved_reason(exitstatus)
    if bench is not None and reason and benchmark_session.cancel_saving(bench):
        reporter = _reporter(session.config)
        if reporter is not None:
            reporter.write_line(f"mpmodel: nothing saved to the history: {reason}", yellow=True)
    return (yield)


@pytest.hookimpl(trylast=True)  # the verdicts close the report, after pytest-benchmark's table
def pytest_terminal_summary(terminalreporter, config):
    shared = suite_session(config)
    if shared is None or not shared.verdicts:
        return
    contexts = state(config).contexts
    verbose = config.get_verbosity() > 0
    if state(config).left_out_of_table and verbose:
        terminalreporter.write_line(f"mpmodel: {state(config).left_out_of_table} fit and memory tests are not in "
                                    "pytest-benchmark's table (their times are saved; --benchmark-group-by=func shows them)")
    if verbose:  # every gate's whole message; at default verbosity the summary below, and each failure's own report
        terminalreporter.section("mpmodel gates")
        for name, outcome, message in shared.verdicts:
            terminalreporter.write_line(f"{outcome:4s} {name}: {message}", red=outcome == "FAIL")
    workloads = ", ".join(contexts)
    profile = next(iter(contexts.values())).profile.name
    device = shared.device.summary().split(";")[0]
    device += ")" * (device.count("(") - device.count(")"))  # the first part of the device's line, closed
    title = f"mpmodel gates: {device}, {workloads}, {profile} profile"
    table = summary.text_lines(shared.gates)
    if table:
        terminalreporter.section("mpmodel summary" if verbose else
                                 "mpmodel summary (each gate's whole message: -v, or mpmodel explain TEST_ID)")
        for line in table:
            terminalreporter.write_line(header.fit_screen(line, verbose), red=" FAIL " in f" {line} ")
    try:
        written = ci_summary.append_summary(title, shared.gates, also=shared.settings.summary)
    except OSError as exc:
        terminalreporter.write_line(f"mpmodel: the summary was not written ({SUMMARY_ENV} or --mp-summary): {exc}",
                                    yellow=True)
    else:
        for path in written:
            terminalreporter.write_line(f"mpmodel: gates appended to {path}")


def pytest_unconfigure(config):
    st = state(config)
    if st.monitor is not None:
        st.monitor.stop()
    signals.restore_sigterm(st.sigterm)
    if st.watchdog is not None:
        st.watchdog.uninstall()
