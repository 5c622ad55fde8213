"""What the plugin keeps on the pytest config (stash keys), light enough for the entry module."""

from __future__ import annotations

import pytest

SETTINGS = pytest.StashKey()  # mpmodel.plugin.settings.Settings, once the suite is in use
CONTEXTS = pytest.StashKey[dict]()  # workload name -> RunContext, built on first use (detects the device)
MONITOR = pytest.StashKey()  # mpmodel.plugin.monitor.StateMonitor, while benchmarks run
SIGTERM = pytest.StashKey()  # the SIGTERM handler to restore at the end
ADAPTED = pytest.StashKey()  # pytest-benchmark's session, where the adapter (benchmark_session) applies to it
STARTED = pytest.StashKey[float]()  # time.perf_counter() when the session was configured
WATCHDOG = pytest.StashKey()  # mpmodel.plugin.watchdog.Watchdog, while the suite's benchmarks run
COMPARED = pytest.StashKey[list]()  # (pytest-benchmark session, saved machine_info, this host's) per compared suite run
ASKED = pytest.StashKey[bool]()  # the session asked for the suite by an --mp-* option or by name (--pyargs)
IN_USE = pytest.StashKey[bool]()  # collection ended with the suite in use: its saving, records and hooks apply
DEFERRED = pytest.StashKey()  # a pytest.UsageError met while collecting, raised when collection ends
CONTEXT_FIXTURE = "mp_run"
WORKLOAD_ARG = "mp_workload"  # the parametrized argument that carries each test's workload name
SESSION_PLUGIN = "mpmodel.plugin.session"
