"""An interrupt that always ends the session: SIGTERM or Ctrl-C inside a native call that never returns.

Python runs its signal handlers in the main thread between bytecodes, so a process inside one long native
call (a crawling TensorFlow kernel) ignores SIGTERM and Ctrl-C until the call returns, which may be hours.
The C-level handler still runs at once and writes the signal's number to the wakeup descriptor
(`signal.set_wakeup_fd`); a daemon thread waiting on it starts a grace period. Where the session has not
ended when the grace period is over (pytest's own interrupt handling, which saves nothing, normally ends it
within a second), the thread says so in one line and ends the process with exit status 2, pytest's
"interrupted". Nothing is half-saved: runs are saved whole or not at all (mpmodel.plugin.saving, the
store's transactions), child processes die with their parent (mpmodel.core.parent_watch).
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Callable

GRACE_S = 5.0  # the bound is 10 s from the signal to the end of the process
INTERRUPTED = 2  # pytest.ExitCode.INTERRUPTED
WATCHED = {int(signal.SIGINT): "SIGINT (Ctrl-C)", int(signal.SIGTERM): "SIGTERM"}
STOP = 0  # the byte that ends the thread when the session ends normally


class Watchdog:
    """Arms on SIGINT or SIGTERM, ends the process `grace_s` later unless it has ended by then."""

    def __init__(self, grace_s: float = GRACE_S, say: Callable[[str], None] | None = None,
                 end: Callable[[int], None] = os._exit):
        self.grace_s, self.end = grace_s, end
        self.say = say or self._say_to_stderr
        self._stderr = None  # the terminal's stderr as it was at install: pytest's capture may redirect fd 2 later
        self._read = self._write = None
        self._previous_fd = None
        self._thread: threading.Thread | None = None

    def install(self) -> Watchdog | None:
        """Take the wakeup descriptor and start the thread; None where that cannot be done here (not the main
        thread, or another library already holds the descriptor: an event loop)."""
        if threading.current_thread() is not threading.main_thread():
            return None
        read, write = os.pipe()
        os.set_blocking(write, False)
        previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        if previous != -1:  # someone else's: give it back and stay out of the way
            signal.set_wakeup_fd(previous)
            os.close(read)
            os.close(write)
            return None
        self._read, self._write, self._previous_fd = read, write, previous
        self._stderr = os.dup(2)
        self._thread = threading.Thread(target=self._watch, name="mpmodel-interrupt-watchdog", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while True:
            try:
                data = os.read(self._read, 64)
            except OSError:
                return
            if not data or STOP in data:
                return
            signals = [WATCHED[b] for b in data if b in WATCHED]
            if signals:
                break
        if self._stopped_within(self.grace_s):
            return
        self.say(f"mpmodel: {signals[0]} received, and the session had not ended {self.grace_s:g} s later (it is inside a "
                 "native call that does not return to Python): process ended; nothing saved to the history")
        self.end(INTERRUPTED)

    def _stopped_within(self, seconds: float) -> bool:
        """True where `uninstall` ran (the session ended) within `seconds`; more signals meanwhile change nothing."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                ready, _, _ = select.select([self._read], [], [], left)
                data = os.read(self._read, 64) if ready else b"-"
                if not data or STOP in data:
                    return True
            except (OSError, ValueError):  # the descriptor was closed by uninstall
                return True
        return False

    def _say_to_stderr(self, line: str) -> None:
        os.write(self._stderr if self._stderr is not None else 2, (line + "\n").encode())

    def uninstall(self) -> None:
        """Give the wakeup descriptor back and end the thread: the session is ending by itself."""
        if self._write is None:
            return
        if threading.current_thread() is threading.main_thread():
            signal.set_wakeup_fd(self._previous_fd)
        try:
            os.write(self._write, bytes([STOP]))
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        for fd in (self._read, self._write, self._stderr):
            try:
                os.close(fd)
            except OSError:
                pass
        self._read = self._write = self._stderr = None
