"""SIGTERM becomes pytest's interrupt while the plugin runs, and the old handler comes back after."""

import os
import signal

import pytest

from mpmodel.plugin.signals import Terminated, install_sigterm, restore_sigterm


def test_sigterm_is_raised_as_an_interrupt_and_the_handler_restored():
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        old = install_sigterm()
        assert old is signal.SIG_DFL
        with pytest.raises(Terminated):
            os.kill(os.getpid(), signal.SIGTERM)  # Python runs the handler as soon as kill returns
        assert install_sigterm() is None  # already handled: left alone
        restore_sigterm(old)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
