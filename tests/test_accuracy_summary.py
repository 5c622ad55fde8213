"""The accuracy study's summary: spreads and the gate's rates over seed subsets, from JSON lines."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def summary():
    sys.path.insert(0, str(ROOT / "studies"))
    spec = importlib.util.spec_from_file_location("accuracy_summary", ROOT / "studies" / "accuracy_summary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def runs(path: Path):
    aa = [0.001, -0.001, 0.0005, -0.0005, 0.0]
    with open(path, "w") as fh:
        for seed, d in enumerate(aa):
            base = {"backend": "tensorflow", "data": "synthetic-hard-v1", "recipe": "decay", "seed": seed, "seconds": 1.0}
            for run, acc, planted in (("f32", 0.94, None), ("f32_aa", 0.94 + d, None), ("mixed_bfloat16", 0.94 - d, 0.92)):
                record = {**base, "run": run, "test_accuracy": acc}
                if planted is not None:
                    record["planted_accuracy"] = planted
                fh.write(json.dumps(record) + "\n")


@pytest.mark.framework
def test_rates_over_subsets_and_the_table(summary, tmp_path, capsys):
    runs(tmp_path / "runs.jsonl")
    seeds = summary.load([tmp_path / "runs.jsonl"])[("tensorflow", "synthetic-hard-v1", "decay")]
    aa = summary.deltas(seeds, "f32_aa")
    assert np.allclose(aa, [0.001, -0.001, 0.0005, -0.0005, 0.0])
    assert summary.subset_fail_rate(aa, 3, 0.01) == (0, 10)  # small spread: no 3-seed subset fails
    assert summary.subset_fail_rate(aa, 3, 0.0) == (10, 10)  # at tolerance 0 every bound lies below it
    planted = summary.deltas(seeds, "mixed_bfloat16", "planted_accuracy")
    assert summary.subset_fail_rate(planted, 3, 0.01) == (10, 10)
    assert summary.largest_sd(3, 0.01) == pytest.approx(0.0031, abs=1e-4)
    assert summary.summarise([tmp_path / "runs.jsonl"]) == 0
    out = capsys.readouterr().out
    assert "| tensorflow | synthetic-hard-v1 | decay | 3 |" in out and "0/10 (0%)" in out and "10/10 (100%)" in out
