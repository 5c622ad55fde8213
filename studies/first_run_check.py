"""The first-run checks of issue 19, as CI runs them: a suite run ends within 1.3x of its own prediction, and a
SIGTERM ends a run within 10 s leaving the saved runs and the history database as they were.

    python studies/first_run_check.py prediction [--expect-crawling POLICY] [--screen LINES] -- pytest benchmarks/ ...
    python studies/first_run_check.py interrupt --storage DIR --history sqlite:///FILE [--after 60] -- pytest benchmarks/ ...

`prediction` runs the command, reads its "mpmodel predicts: about X in all[, at least Y]" line and fails where the
whole run took more than 1.3x the prediction (X) or less than 1/1.3 of its least (Y, every sequential gate deciding at
its first look; X where not given); with --expect-crawling, where no line says that policy is crawling; with --screen,
where the run printed more than LINES lines or, outside pytest-benchmark's tables, a line over 200 characters (issue
33: a default run fits a screen and a half); a run that fails by itself (a gate) exits with its own status.
`interrupt` sends SIGTERM `--after` seconds in (as `timeout -s TERM 60` does) and fails unless the process ends within
10 s more with "nothing saved to the history" (and any --expect text) in its output and no run added to the storage or
the history database. Each prints one line per check and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

TOLERANCE = 1.3
GRACE_S = 10.0
WIDTH = 200  # mpmodel.plugin.header.SCREEN: the widest line a default run prints outside pytest-benchmark's tables
PREDICTS = re.compile(r"^mpmodel predicts: about ([\d.]+) (s|min) in all(?:, at least ([\d.]+) (s|min))?")


def stream(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)


def seconds(number: str, unit: str) -> float:
    return float(number) * (60 if unit == "min" else 1)


def predicted_s(line: str) -> tuple[float, float] | None:
    """(least, most) seconds from the prediction line (least = most where it gives one figure), None for another line."""
    m = PREDICTS.match(line)
    if m is None:
        return None
    most = seconds(m.group(1), m.group(2))
    return (seconds(m.group(3), m.group(4)) if m.group(3) else most), most


def outside_benchmark_tables(lines: list[str]) -> list[str]:
    """The lines without pytest-benchmark's own tables: from a table's title rule to its closing rule (the second
    all-dash line after the title), and its legend where one is printed."""
    out, rules = [], None  # rules: the all-dash lines seen since a table's title, None outside a table
    for line in lines:
        if rules is None and re.match(r"^-+ benchmark", line):
            rules = 0
        elif rules is not None:
            rules += bool(re.fullmatch(r"-+", line.strip()))
            if rules == 2:
                rules = None
        elif not line.startswith(("Legend:", "  Outliers: ", "  OPS: ")):
            out.append(line)
    return out


def screen_failures(lines: list[str], most: int) -> list[str]:
    """Where a run's output is longer than `most` lines, or holds a line over WIDTH characters outside
    pytest-benchmark's tables."""
    failures = []
    if len(lines) > most:
        failures.append(f"the run printed {len(lines)} lines, more than the {most} a default run may (a screen and a half)")
    wide = [line for line in outside_benchmark_tables(lines) if len(line) > WIDTH]
    if wide:
        failures.append(f"{len(wide)} line(s) over {WIDTH} characters outside pytest-benchmark's tables, the first "
                        f"{len(wide[0])}: {wide[0][:80]}...")
    return failures


def check_prediction(cmd: list[str], expect_crawling: str | None, screen: int | None = None) -> tuple[list[str], int]:
    """The failures, and the run's own exit status (a failed gate is the suite's verdict, passed on)."""
    start = time.monotonic()
    proc, predicted, crawling, printed = stream(cmd), None, False, []
    for line in proc.stdout:
        sys.stdout.write(line)
        printed.append(line.rstrip("\n"))
        predicted = predicted if predicted is not None else predicted_s(line)
        crawling = crawling or (expect_crawling is not None and f"crawling: {expect_crawling}'s step takes" in line)
    proc.wait()
    took = time.monotonic() - start
    failures = []
    if predicted is None:
        failures.append("the run printed no 'mpmodel predicts: about ... in all' line")
    else:
        least, most = predicted
        span = f"{most:.0f} s" if least == most else f"{least:.0f}-{most:.0f} s (every gate at its first look to its last)"
        allowed = (f"allowed {least / TOLERANCE:.0f}-{most * TOLERANCE:.0f} s: {1 / TOLERANCE:.2f}x the least to "
                   f"{TOLERANCE}x the most")
        print(f"first-run check: the run took {took:.0f} s against its prediction of {span} ({allowed})")
        if not least / TOLERANCE <= took <= most * TOLERANCE:
            failures.append(f"the run took {took:.0f} s against its prediction of {span} ({allowed}): the cost model "
                            "or the step probe is off")
    if expect_crawling is not None and not crawling:
        failures.append(f"no line said {expect_crawling} is crawling, with its measured step time")
    if screen is not None:
        print(f"first-run check: the run printed {len(printed)} lines (allowed {screen})")
        failures += screen_failures(printed, screen)
    return failures, proc.returncode


def saved_state(storage: Path, history: str) -> tuple[list[str], int | None]:
    files = sorted(str(p) for p in storage.rglob("*.json")) if storage.exists() else []
    runs = None
    if history:
        from mpmodel.store.database import RunStore  # noqa: PLC0415 (a study's own dependency, loaded where used)

        runs = len(RunStore(history).runs(full=False))
    return files, runs


def check_interrupt(cmd: list[str], storage: Path, history: str, after_s: float, expect: str | None = None) -> list[str]:
    before = saved_state(storage, history)
    proc = stream(cmd)
    output: list[str] = []
    deadline = time.monotonic() + after_s
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    reader.start()
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    failures = []
    if proc.poll() is not None:
        failures.append(f"the run ended by itself after {after_s:.0f} s at most: pick a longer run to interrupt")
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=GRACE_S + 20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    took = time.monotonic() - sent
    reader.join(timeout=5)
    text = "".join(output)
    sys.stdout.write(text[-4000:])
    print(f"first-run check: SIGTERM after {after_s:.0f} s; the process ended {took:.1f} s later with exit status "
          f"{proc.returncode}")
    if took > GRACE_S:
        failures.append(f"the process ended {took:.1f} s after SIGTERM (allowed {GRACE_S:.0f} s)")
    if "nothing saved to the history" not in text:
        failures.append("the run did not say 'nothing saved to the history'")
    if expect is not None and expect not in text:
        failures.append(f"the run did not say {expect!r}")
    after = saved_state(storage, history)
    if after != before:
        failures.append(f"the saved runs changed: files {len(before[0])} -> {len(after[0])}, "
                        f"history runs {before[1]} -> {after[1]}")
    return failures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="check", required=True)
    pred = sub.add_parser("prediction")
    pred.add_argument("--expect-crawling", metavar="POLICY")
    pred.add_argument("--screen", type=int, metavar="LINES", help="the most lines the run may print")
    intr = sub.add_parser("interrupt")
    intr.add_argument("--storage", type=Path, required=True)
    intr.add_argument("--history", default="")
    intr.add_argument("--after", type=float, default=60.0)
    intr.add_argument("--expect", help="a text the run must print (the watchdog's line)")
    for p in (pred, intr):
        p.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("give the command to run after --")
    status = 0
    if args.check == "prediction":
        failures, status = check_prediction(cmd, args.expect_crawling, args.screen)
    else:
        failures = check_interrupt(cmd, args.storage, args.history, args.after, args.expect)
    for failure in failures:
        print(f"first-run check FAILED: {failure}")
    if status:
        print(f"first-run check: the run itself exited {status}")
    return status or (1 if failures else 0)


if __name__ == "__main__":
    sys.exit(main())
