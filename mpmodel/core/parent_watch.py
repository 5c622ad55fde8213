"""A child process of the session ends with it: the probe and memory children call `die_with_parent` first, so
that a session ended by the interrupt watchdog (mpmodel.plugin.watchdog, through os._exit) or killed leaves
no child computing on. Set in the child itself, not through subprocess's preexec_fn, which is unsafe in a
parent with threads (TensorFlow's, JAX's)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int | None = None) -> None:
    """On Linux, have the kernel kill this process when its parent ends, however it ends; where the parent
    (`parent_pid`) has already ended, end now. Elsewhere nothing: the parent's own clean-up kills its children."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl in this libc: the parent's clean-up still applies
        return
    if parent_pid is not None and os.getppid() != parent_pid:  # the parent ended before prctl took effect
        os._exit(1)
