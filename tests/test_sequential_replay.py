"""studies/sequential_replay.py: recorded pairs and fits replayed through both designs, and its bad input."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "studies"))

import sequential_replay as replay  # noqa: E402

RESULTS = ROOT / "studies" / "results"


def test_recorded_runs_replay_into_both_tables(capsys):
    run = RESULTS / "sequential-zen4-2026-12-03" / "fixed.json"
    fits = RESULTS / "accuracy-zen4-2026-11-28" / "tensorflow-synthetic-hard-decay.jsonl"
    assert replay.main(["--draws", "40", str(run), str(fits)]) == 0
    out = capsys.readouterr().out
    bf16 = next(line for line in out.splitlines() if line.startswith("| tensorflow small-jit_auto-fp32_default-mixed_bfloat16"))
    assert "| 15 | 1.665x | 1.3x: 0.0% / 0.0% |" in bf16  # its recorded floor: no false alarm under either design
    accuracy = [line for line in out.splitlines() if line.startswith("| tensorflow | `synthetic-hard-v1`")]
    assert [row.split(" | ")[2] for row in accuracy] == ["3 (40 orders)", "5 (40 orders)"]
    assert all("100.0% / 100.0%" in row for row in accuracy)  # the planted 2-point loss caught by both


def test_a_file_that_is_neither_a_run_nor_a_spread_result_is_named(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        replay.main([str(tmp_path / "missing.json")])
    assert exc.value.code == 2 and "missing.json" in capsys.readouterr().err
