"""studies/first_run_check.py, CI's check of the first run: its parsing and its verdicts on made-up commands."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "studies"))

import first_run_check as check  # noqa: E402


def test_the_prediction_line_is_read_in_seconds():
    assert check.predicted_s("mpmodel predicts: about 3.4 min in all: 42 s so far (...)") == (204.0, 204.0)
    assert check.predicted_s("mpmodel predicts: about 56 s in all: 39 s so far") == (56.0, 56.0)
    assert check.predicted_s("mpmodel predicts: about 3.4 min in all, at least 90 s where every gate decides at its "
                             "first look: 42 s so far") == (90.0, 204.0)
    assert check.predicted_s("mpmodel speed of light: float32") is None


def test_a_sequential_run_is_held_to_its_least_and_its_most(capsys):
    said = "import time; print('mpmodel predicts: about 3600 s in all, at least 1 s where every gate decides'); time.sleep(1.2)"
    failures, status = check.check_prediction([sys.executable, "-c", said], None)
    assert failures == [] and status == 0  # at its least, far under its most: still within the prediction
    assert "allowed 1-4680 s" in capsys.readouterr().out


def test_a_run_without_a_prediction_or_the_crawl_fails_and_its_own_status_passes_on(capsys):
    failures, status = check.check_prediction([sys.executable, "-c", "raise SystemExit(1)"], "mixed_bfloat16")
    assert status == 1
    assert failures == ["the run printed no 'mpmodel predicts: about ... in all' line",
                        "no line said mixed_bfloat16 is crawling, with its measured step time"]
    said = "print(\"mpmodel predicts: about 3600 s in all\"); print(\"crawling: mixed_bfloat16's step takes 1 s\")"
    failures, status = check.check_prediction([sys.executable, "-c", said], "mixed_bfloat16")
    assert status == 0 and len(failures) == 1 and "its prediction of 3600 s" in failures[0]  # far quicker: off


def test_main_needs_a_command(capsys):
    with pytest.raises(SystemExit) as exc:
        check.main(["prediction"])
    assert exc.value.code == 2
    assert "give the command to run after --" in capsys.readouterr().err


TABLE = ["---- benchmark 'step time: one step': 2 tests ----", "Name (time in ms)      Median    Rounds",
         "-" * 40, "test_step_time[small-" + "x" * 230 + "]   1.0   12", "-" * 40, ""]


def test_the_screen_check_counts_every_line_and_the_width_outside_pytest_benchmarks_tables():
    from mpmodel.plugin.header import SCREEN

    assert check.WIDTH == SCREEN
    out = ["mpmodel workload: mlp", *TABLE, *TABLE, "Legend:", "  OPS: Operations Per Second, computed as 1 / Mean",
           "=== mpmodel summary ===", "== 9 passed in 3.2s =="]
    assert [line for line in check.outside_benchmark_tables(out) if line] == ["mpmodel workload: mlp", "=== mpmodel summary ===",
                                                   "== 9 passed in 3.2s =="]
    assert check.screen_failures(out, len(out)) == []
    assert check.screen_failures(out, 10) == [f"the run printed {len(out)} lines, more than the 10 a default run may "
                                              "(a screen and a half)"]
    (wide,) = check.screen_failures([*out, "mpmodel expects " + "y" * 200], 45)
    assert wide.startswith("1 line(s) over 200 characters outside pytest-benchmark's tables, the first 216: ")
