"""SIGTERM and Ctrl-C end the process even inside a native call that never returns to Python: a child process
sleeps inside libc's nanosleep with the signals blocked in its main thread (the planted crawl's call), as a
crawling TensorFlow kernel holds it."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mpmodel.plugin.watchdog import Watchdog

PLANTED = Path(__file__).resolve().parents[2] / "studies" / "planted_crawl"

SCRIPT = f"""
import signal, sys, time
# Ctrl-C as a terminal gives it: a session started in the background by a non-interactive shell inherits SIGINT
# ignored, and Python then installs no handler for it
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {str(PLANTED)!r})
from sitecustomize import native_sleep
from mpmodel.plugin.signals import install_sigterm
from mpmodel.plugin.watchdog import Watchdog
install_sigterm()  # SIGTERM as Ctrl-C, as the plugin routes it
dog = Watchdog(grace_s=1.0).install()
try:
    print("installed" if dog else "not installed", flush=True)
    if sys.argv[1] == "native":
        native_sleep(60)
    else:
        time.sleep(60)
except KeyboardInterrupt:
    print("handled by Python", flush=True)
    dog.uninstall()
"""


def signals_blocked(pid: int, signum: int) -> bool:
    """True once the process's main thread blocks `signum` (it has entered the native sleep)."""
    for line in Path(f"/proc/{pid}/task/{pid}/status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            return bool(int(line.split()[1], 16) >> (int(signum) - 1) & 1)
    return False


def run_until_signalled(how, signum):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, how], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "installed"
    if how == "native":  # a signal sent between the print and the native call would be Python's to handle
        deadline = time.monotonic() + 30  # a bound for a hung test, not a timing claim
        while not signals_blocked(proc.pid, signum):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"the child never entered its native sleep: {proc.communicate()}")
            time.sleep(0.01)
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=30)  # a bound for a hung test, not a timing claim
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"{how}: the process outlived {signum!r} by 30 s")
    return proc.returncode, out, err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_inside_a_native_call_the_watchdog_ends_the_process_with_one_line(signum):
    rc, out, err = run_until_signalled("native", signum)
    assert rc == 2
    assert "handled by Python" not in out
    assert "received, and the session had not ended 1 s later" in err and "nothing saved to the history" in err


def test_where_python_handles_the_interrupt_the_watchdog_stays_quiet():
    rc, out, err = run_until_signalled("python", signal.SIGINT)
    assert rc == 0 and "handled by Python" in out and "mpmodel:" not in err


def test_outside_the_main_thread_or_beside_another_wakeup_fd_it_stays_out_of_the_way():
    got = []
    t = threading.Thread(target=lambda: got.append(Watchdog().install()))
    t.start()
    t.join()
    assert got == [None]
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    previous = signal.set_wakeup_fd(write_fd)
    try:
        assert Watchdog().install() is None
        assert signal.set_wakeup_fd(write_fd) == write_fd  # left as it was
    finally:
        signal.set_wakeup_fd(previous)
        os.close(read_fd)
        os.close(write_fd)
