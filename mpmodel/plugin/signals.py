"""SIGTERM handled like Ctrl-C, so a job killed by CI or `timeout` ends as an interrupted run.

Python's default for SIGTERM ends the process at once, skipping pytest's teardown. Raised as
KeyboardInterrupt instead, pytest reports the run as interrupted, the plugin declines to save
it, and fixtures and the state monitor stop cleanly.
"""

from __future__ import annotations

import signal
import threading


class Terminated(KeyboardInterrupt):
    """SIGTERM, as pytest's interrupt."""


def _raise_terminated(signum, frame):
    raise Terminated(f"received {signal.Signals(signum).name}")


def install_sigterm() -> object | None:
    """Route SIGTERM to KeyboardInterrupt where nobody else handles it; the previous handler, or
    None when left alone (not the main thread, or a handler already set by someone else)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    return signal.signal(signal.SIGTERM, _raise_terminated)


def restore_sigterm(previous) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)
