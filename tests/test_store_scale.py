"""The store's scale study (studies/store_scale.py) at a small size: a fleet's runs in ten contexts filled in bulk,
then each history command timed in a fresh process with its peak memory, one JSON line each."""

import json

import pytest

from conftest import import_study


@pytest.fixture(scope="module")
def study():
    return import_study("store_scale")


def test_the_fleet_spreads_over_ten_contexts_and_fifty_runners(study):
    from mpmodel.store.schema import measured_facts

    runs = list(study.fleet_runs(0, 100))
    assert len({json.dumps(measured_facts(r["machine_info"]), sort_keys=True) for r, _ in runs}) == study.CONTEXTS
    assert len({r["machine_info"]["node"] for r, _ in runs}) == study.RUNNERS
    assert [name for _, name in runs[:2]] == ["000001_scale", "000002_scale"]


@pytest.mark.framework
def test_it_fills_in_turn_and_times_every_command(study, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'scale.db'}"
    out = tmp_path / "scale.jsonl"
    assert study.main(["--store", url, "--sizes", "30,12", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["runs"], r["what"]) for r in rows] == [(n, w) for n in (12, 30) for w in
                                                     ("fill", "report", "compare previous latest", "matrix")]
    assert [r["added"] for r in rows if r["what"] == "fill"] == [12, 18]
    assert all(r["exit"] == 0 and r["peak_mib"] > 0 for r in rows if r["what"] != "fill")
