"""Every history command on every kind of source, a folder, SQLite and PostgreSQL, with the same expectations: the
fixture's real runs (two A/A, one with TF_ENABLE_ONEDNN_OPTS=0) compared, reported, put in a matrix and
calibrated from; a store ingests each run once however often it is given."""

import io
import sys

import pytest

from mpmodel.history.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    old, sys.stderr = sys.stderr, err
    try:
        code = main(list(argv), out=out)
    finally:
        sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_ingest_is_idempotent_and_compare_gates_from_the_store(store_url, storage):
    code, out, _ = run("ingest", str(storage), "--history", store_url)
    assert code == 0 and out.startswith("ingested 3 run(s) into ") and out.endswith("3 added, 0 stored before\n")
    code, out, _ = run("ingest", str(storage), "--history", store_url)
    assert code == 0 and "0 added, 3 stored before" in out

    code, out, _ = run("compare", "0001", "0002", "--history", store_url, "--fail-on-regression")
    assert code == 0, out  # the A/A pair
    code, out, _ = run("compare", "previous", "latest", "--history", store_url, "--fail-on-regression")
    assert code == 1, out
    assert "context differs: TF_ENABLE_ONEDNN_OPTS unset -> 0" in out
    assert "result: REGRESSION" in out and "mixed_bfloat16" in out.splitlines()[-2]

    code, out, _ = run("report", "--history", store_url)
    assert code == 0 and out.count("\n0003 ") == 1 and "changed: TF_ENABLE_ONEDNN_OPTS unset -> 0" in out


def test_ingest_refuses_what_is_no_saved_run_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    bad = tmp_path / "0001_bad.json"
    bad.write_text("{not json")
    code, _, err = run("ingest", str(bad), "--history", url)
    assert code == 2 and err.count("\n") == 1 and "not valid JSON" in err
    code, _, err = run("ingest", str(bad))
    assert code == 2 and "ingest needs --source PATH|URL (or $MPMODEL_HISTORY)" in err


def test_an_unreachable_store_is_one_line_without_the_password():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'mpmodel[postgres]')")
    code, _, err = run("report", "--history", "postgresql+psycopg://suite:s3cret@127.0.0.1:9/h")
    assert code == 2 and err.count("\n") == 1 and "s3cret" not in err
    assert err.startswith("mpmodel report: error: postgresql+psycopg://suite:***@127.0.0.1:9/h: cannot")


def test_matrix_from_the_store_names_the_one_fact_between_its_contexts(store_url, storage):
    assert run("ingest", str(storage), "--history", store_url)[0] == 0
    code, out, _ = run("matrix", "--history", store_url)
    assert code == 0 and "TF_ENABLE_ONEDNN_OPTS unset -> 0: mixed_float16 speedup" in out
    code, out, _ = run("matrix", "--history", store_url, "--format", "json")
    assert code == 0 and '"fact": "TF_ENABLE_ONEDNN_OPTS unset -> 0"' in out


def test_every_command_answers_alike_on_every_source(run_source, tmp_path):
    code, out, _ = run("compare", "0001", "0002", "--source", run_source, "--fail-on-regression")
    assert code == 0 and "result: no significant regression" in out, out  # the A/A pair
    code, out, _ = run("compare", "previous", "latest", "--source", run_source, "--fail-on-regression")
    assert code == 1 and "context differs: TF_ENABLE_ONEDNN_OPTS unset -> 0" in out and "result: REGRESSION" in out

    code, out, _ = run("report", "--source", run_source, "--html", str(tmp_path / "page.html"))
    assert code == 0 and out.count("\n0003 ") == 1 and "changed: TF_ENABLE_ONEDNN_OPTS unset -> 0" in out
    assert (tmp_path / "page.html").read_text().count("<table") >= 2

    code, out, _ = run("matrix", "--source", run_source)
    assert code == 0 and "TF_ENABLE_ONEDNN_OPTS unset -> 0: mixed_float16 speedup" in out

    code, out, _ = run("calibrate", "0001", "0002", "--source", run_source)
    assert code == 0 and "stored: " in out
    code, out, _ = run("compare", "0001", "0002", "--source", run_source)
    assert code == 0 and "raised per series by calibrated A/A noise from" in out, out


def test_the_old_option_names_still_name_the_source(storage):
    assert run("report", "--storage", str(storage))[0] == 0
    assert run("report", "--history", str(storage))[0] == 0
