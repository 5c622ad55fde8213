"""A probe or memory child ends with the session that started it, however the session ends."""

import os
import subprocess
import sys
import time

import pytest

CHILD = ("import sys, time\nfrom mpmodel.core.parent_watch import die_with_parent\n"
         "die_with_parent(int(sys.argv[1]))\nprint('ready', flush=True)\ntime.sleep(60)\n")
MIDDLE = ("import os, subprocess, sys\n"
          "child = subprocess.Popen([sys.executable, '-c', sys.argv[1], str(os.getpid())], stdout=subprocess.PIPE, text=True)\n"
          "child.stdout.readline()\nprint(child.pid, flush=True)\nos._exit(0)\n")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "zombie" not in f.read()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's; elsewhere the parent kills")
def test_a_child_dies_when_its_parent_leaves_through_os_exit():
    out = subprocess.run([sys.executable, "-c", MIDDLE, CHILD], capture_output=True, text=True, timeout=60).stdout
    pid = int(out.strip())
    for _ in range(100):  # a bound for a hung test: the kernel's signal is immediate
        if not alive(pid):
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail(f"the child {pid} outlived its parent")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_whose_parent_already_ended_ends_at_once():
    proc = subprocess.run([sys.executable, "-c", CHILD, "1"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "ready" not in proc.stdout
