"""What the plugin keeps for one pytest session: one `SuiteState` on the config's stash, light enough for the
entry module; and the names the suite's fixtures and parameters go by."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest

CONTEXT_FIXTURE = "mp_run"
WORKLOAD_ARG = "mp_workload"  # the parametrized argument that carries each test's workload name
SESSION_PLUGIN = "mpmodel.plugin.session"


@dataclass
class SuiteState:
    """The session's state, each field set at one point of pytest's hooks (said beside it)."""

    started: float = field(default_factory=time.perf_counter)  # configure: the session's start
    asked: bool = False  # configure or session start: an --mp-* option, the suite's name or its folder asked for it
    deferred: pytest.UsageError | None = None  # collection: a bad setting met there, raised when collection ends
    compared: list = field(default_factory=list)  # configure: (pytest-benchmark session, saved, host machine_info)
    settings: Any = None  # activation: mpmodel.plugin.settings.Settings, checked
    sigterm: Any = None  # activation: the SIGTERM handler to restore at the end
    contexts: dict | None = None  # first use: workload name -> RunContext (detects the device)
    in_use: bool = False  # collection's end: the suite is in use, so its saving, records and hooks apply
    adapted: Any = None  # collection's end: pytest-benchmark's session, where the saving adapter applies to it
    monitor: Any = None  # collection's end: mpmodel.plugin.monitor.StateMonitor, while benchmarks run
    watchdog: Any = None  # collection's end: mpmodel.plugin.watchdog.Watchdog, while the suite's tests run
    left_out_of_table: int = 0  # the session's end: fits and memory tests kept out of pytest-benchmark's table


STATE = pytest.StashKey[SuiteState]()


def state(config) -> SuiteState:
    """The session's SuiteState, made on first use."""
    if STATE not in config.stash:
        config.stash[STATE] = SuiteState()
    return config.stash[STATE]
