"""A crawling step is a finding, not a hang: run for real through pytest on the suite's own benchmarks with the
planted crawl (studies/planted_crawl: each mixed_bfloat16 step spends extra seconds inside one native call that
Python's signal handlers cannot interrupt), so the step probe, the crawl rule and the interruption are tested on
any CPU."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
PLANTED = ROOT / "studies" / "planted_crawl"
TINY = ("-p", "mpmodel.plugin", "--mp-profile", "tiny", "--mp-policies", "float32,mixed_bfloat16", "--mp-data", "synthetic",
        "--mp-memory", "off", "-p", "no:cacheprovider", "-rsf", "-v")  # -v: the gates section, every line whole


def plant(monkeypatch, seconds: float | str, *others: str) -> None:
    """mixed_bfloat16's planted crawl (seconds, or "raise"), and `others` as policy=SECONDS or policy=raise."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(PLANTED), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPMODEL_PLANTED_CRAWL", ",".join([f"mixed_bfloat16={seconds}", *others]))


def run(pytester, monkeypatch, *extra):
    """The suite's benchmarks with a 0.5 s crawl planted in every mixed_bfloat16 step (tiny's float32 step: ~1 ms)."""
    for name in ("test_step_time.py", "test_speedup.py", "test_accuracy.py", "conftest.py"):
        (pytester.path / name).write_text((BENCHMARKS / name).read_text())
    plant(monkeypatch, 0.5)
    return pytester.runpytest_subprocess(*TINY, *extra)


@pytest.mark.session
def test_a_crawling_policy_is_measured_by_the_probe_and_decided_on_its_steps(pytester, monkeypatch):
    result = run(pytester, monkeypatch, "--mp-min-speedup", "mixed_bfloat16=1.3")
    result.assert_outcomes(passed=1, skipped=3, failed=1)  # float32's step time; bf16's step time and both fits
    out = result.stdout.str()
    probed = re.search(r"mpmodel step probe: mixed_bfloat16 \(jit auto\) (\d+) ms per step", out)
    assert probed and 500 <= int(probed.group(1)) < 1000  # the planted 0.5 s is the step's floor: the probe measured it
    assert "crawling: mixed_bfloat16's step takes 5" in out and "(the crawl rule: over 10x)" in out
    assert "its kernels alone take" in out and "step efficiency" in out
    assert "with TensorFlow's graph remapper off its step takes" in out or "has no graph-rewrite switch" in out
    assert "mpmodel will not run mixed_bfloat16 (jit auto, float32 default) in full: it crawls here" in out
    assert "its 3 accuracy fits would take about" in out and "--mp-slow-policies runs it" in out
    # where a speedup is expected, the probe's measured steps fail the gate
    assert "FAIL test_speedup[tiny-jit_auto-fp32_default-mixed_bfloat16]: crawling: mixed_bfloat16 speedup over " \
           "float32 0.00" in out and "under the expected minimum 1.3x" in out
    assert "mpmodel predicts: about" in out
    assert "skip test_step_time[tiny-jit_auto-fp32_default-mixed_bfloat16]: crawling:" in out  # in the gate summary


def start_suite(tmp_path, *extra):
    storage, history = tmp_path / "storage", tmp_path / "history.db"
    cmd = [sys.executable, "-m", "pytest", str(BENCHMARKS), *TINY, "--benchmark-autosave",
           f"--benchmark-storage=file://{storage}", "--mp-history", f"sqlite:///{history}", *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("mpmodel predicts"):
            return proc, lines, storage, history
    proc.wait()
    pytest.fail("the suite ended before it predicted its time:\n" + "".join(lines[-30:]))


def terminate(proc, lines, after_s):
    time.sleep(after_s)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rest, _ = proc.communicate(timeout=60)  # a bound for a hung test; the watchdog's own is 5 s
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the suite outlived SIGTERM by 60 s")
    return time.monotonic() - sent, "".join(lines) + rest


def nothing_saved(storage: Path, history: Path):
    assert not list(storage.rglob("*.json")) if storage.exists() else True
    if history.exists():
        with sqlite3.connect(history) as db:
            tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
            assert "mpmodel_runs" not in tables or db.execute("select count(*) from mpmodel_runs").fetchone()[0] == 0


@pytest.mark.session
def test_sigterm_inside_a_crawling_native_call_ends_the_session_with_one_line(tmp_path, monkeypatch):
    plant(monkeypatch, 60.0)  # one step: a minute inside one native call, signals blocked
    proc, lines, storage, history = start_suite(tmp_path, "--mp-slow-policies", "-k", "step_time and mixed_bfloat16")
    _, out = terminate(proc, lines, after_s=3.0)  # by then inside the step's warm-up (SIGTERM in an ordinary run:
    # tests/plugin/test_signals.py, and CI's first-run check)
    assert proc.returncode == 2, out[-3000:]
    assert "mpmodel: SIGTERM received, and the session had not ended 5 s later" in out
    assert "nothing saved to the history" in out
    nothing_saved(storage, history)


@pytest.mark.session
def test_a_step_that_does_not_run_fails_in_one_line_where_a_speedup_is_expected(pytester, monkeypatch):
    """A mixed step that raises (no kernel for its dtype here: JAX's float16 attention on a CPU) fails every test of it
    in one line where a speedup is expected (bf16, asked for 1.3x), and skips them, saying why, where none was (fp16:
    tiny expects no speedup of any policy); nothing else is lost. One session holds both."""
    for name in ("test_step_time.py", "test_speedup.py", "conftest.py"):
        (pytester.path / name).write_text((BENCHMARKS / name).read_text())
    plant(monkeypatch, "raise", "mixed_float16=raise")
    result = pytester.runpytest_subprocess(*TINY, "--mp-policies", "float32,mixed_float16,mixed_bfloat16",
                                           "--mp-min-speedup", "mixed_bfloat16=1.3")
    result.assert_outcomes(passed=1, failed=2, skipped=2)  # float32's step time; bf16's two fail, fp16's two skip
    out = result.stdout.str()
    assert "mixed_bfloat16's step does not run here (" in out
    assert "ValueError: The precision 'F16_F16_F32' is not supported by dot_general on CPU (planted)" in out
    assert "more context" not in out.split("mpmodel gates")[-1]  # one line, not the error's pages
    assert "mpmodel will not run mixed_bfloat16 (jit auto, float32 default): mixed_bfloat16's step does not run" in out
    assert "FAIL test_speedup[tiny-jit_auto-fp32_default-mixed_bfloat16]: mixed_bfloat16's step does not run here" in out
    skipped = [ln for ln in out.splitlines() if ln.startswith("skip test_speedup[tiny-jit_auto-fp32_default-mixed_float16]")]
    assert skipped and "mixed_float16's step does not run here" in skipped[0], out[-3000:]
    assert "(no speedup is expected of it on this device)" in skipped[0]
