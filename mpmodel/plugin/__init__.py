"""The pytest plugin layer: the suite's options, the `mp_run` fixture and pytest's and pytest-benchmark's hooks.

This entry module is what every pytest session with mpmodel installed loads, so it stays light and acts only where
the suite is used: it declares the options and the fixtures, and `activate` loads the suite's hooks (`session`) the
first time a session sets an `--mp-*` option or collects a test that uses `mp_run`. Sessions that do neither get no
backend check, no forced save data, no replaced saving, no monitor thread, no output and no SQLAlchemy, SciPy or
framework import from mpmodel. Beside it: `options` (the options and their ini twins), `settings` (their values,
checked), `keys`, `run_context` (the session's shared state, `SuiteSession`, and one context of measurements per
workload), `backend_check`, `header` (what the session says first, text only), `preflight` (the speeds of light and
step probes measured before the first benchmark, and the prediction), `records` (what saved runs carry), `saving`
and `benchmark_session` (atomic, never partial saves; the only code that touches pytest-benchmark's private parts),
`signals` (SIGTERM as Ctrl-C), `watchdog` (an interrupt that ends the session even inside a native call),
`step_child` (the real step probed in a child, every step under a time limit), `monitor` (device state) and
`out_of_memory`. It may import the core, measure and store layers, never the history layer.

Registered through the `pytest11` entry point named `mpmodel.plugin`, so an installed mpmodel
gives every pytest session its options; the repo's root conftest.py names the same module,
which pytest then registers once (`-p mpmodel.plugin` likewise; `-p no:mpmodel.plugin` turns it off).
"""

from __future__ import annotations

import pytest

from mpmodel.plugin import options
from mpmodel.plugin.keys import CONTEXT_FIXTURE, SESSION_PLUGIN, WORKLOAD_ARG, state

SUITE_PACKAGE = "mpmodel.suite"


def activate(config):
    """The suite's hooks (mpmodel.plugin.session), loaded and registered once for this session."""
    plugin = config.pluginmanager.get_plugin(SESSION_PLUGIN)
    if plugin is None:
        import mpmodel.plugin.session as plugin  # noqa: PLC0415 (the suite's heavy half: only where used)

        plugin.start(config)  # settings first: a bad one stops the session before any hook of the suite's runs
        config.pluginmanager.register(plugin, SESSION_PLUGIN)
    return plugin


def pytest_addoption(parser):
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    state(config)  # the session's start, before any other plugin's configure
    if options.given(config) or names_the_suite(config):
        use_suite(config)


def use_suite(config) -> None:
    """The session asks for the suite (an --mp option, its name, or its folder's conftest at session start):
    its settings are read and checked now, before anything runs or is saved."""
    state(config).asked = True
    activate(config)


def names_the_suite(config) -> bool:
    """`pytest --pyargs mpmodel.suite[...]`: the suite is asked for by name (its modules import Keras at
    collection, so the backend is checked before)."""
    return bool(config.getoption("pyargs", False)) and any(
        str(arg).split("::")[0].startswith(SUITE_PACKAGE) for arg in config.args)


def pytest_generate_tests(metafunc):
    """The suite's axes for a test that uses `mp_run`. A bad setting found here (the suite first used during
    collection) is said when collection ends: raised here, pytest would report it as a collection error with
    a traceback instead of one line."""
    if CONTEXT_FIXTURE not in metafunc.fixturenames:
        return
    try:
        activate(metafunc.config).parametrize(metafunc)
    except pytest.UsageError as exc:
        st = state(metafunc.config)
        st.deferred = st.deferred or exc


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session):
    """Stop with the one line of a bad setting found while collecting (pytest_generate_tests)."""
    error = state(session.config).deferred
    if error is not None:
        raise error


@pytest.fixture(scope="session")
def mp_run(request, mp_workload):
    """The run context of the test's workload; its data was loaded when collection finished."""
    return activate(request.config).run_context(request.config, mp_workload)


@pytest.hookimpl(wrapper=True)
def pytest_benchmark_compare_machine_info(config, benchmarksession, machine_info, compared_benchmark):
    """For a compared run the suite saved: quiet pytest-benchmark's generic warning (a dump, which also crashes
    when the storage lies outside the working directory) and keep the run, so that the suite says exactly which
    facts differ once it knows this session's context (when collection ends). Other runs: pytest-benchmark's own.

    The saved machine_info is swapped for the current one while pytest-benchmark's own hook runs and restored
    before anything else reads the saved run.
    """
    saved = compared_benchmark.get("machine_info") or {}
    if "mpmodel" not in saved:
        return (yield)
    compared_benchmark["machine_info"] = machine_info
    try:
        return (yield)
    finally:
        compared_benchmark["machine_info"] = saved
        state(config).compared.append((benchmarksession, saved, machine_info))


__all__ = ["WORKLOAD_ARG", "activate", "mp_run"]
