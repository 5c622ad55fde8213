"""Child processes that end with the session: a probe or memory child must not outlive a session that was
interrupted or ended by the watchdog (mpmodel.plugin.watchdog), which leaves through os._exit."""

from __future__ import annotations

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """preexec_fn for subprocess: on Linux, the kernel kills the child when its parent ends, however it ends.
    Elsewhere nothing: the parent's own clean-up (a `finally` that kills the child) is all there is."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl in this libc: the parent's clean-up still applies
        pass
