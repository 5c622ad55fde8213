"""`mpmodel` end to end on real saved runs: compare exit codes, report table and plot, calibrate."""

import io
import subprocess
import sys
import textwrap

import pytest

from mpmodel.history.cli import main
from mpmodel.store.runs import CALIBRATION_FILE


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    old = sys.stderr
    sys.stderr = err
    try:
        code = main(list(argv), out=out)
    finally:
        sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_aa_compare_passes_the_regression_gate(storage):
    code, out, _ = run("compare", "0001", "0002", "--storage", str(storage), "--fail-on-regression")
    assert code == 0, out
    assert "context: same device, drivers, versions, profile and data" in out
    assert "result: no significant regression" in out


def test_planted_slowdown_fails_the_regression_gate(storage):
    code, out, _ = run("compare", "0002", "0003", "--storage", str(storage), "--fail-on-regression")
    assert code == 1, out
    assert "context differs: TF_ENABLE_ONEDNN_OPTS unset -> 0" in out
    bf16 = [line for line in out.splitlines() if line.strip().startswith("mixed_bfloat16")]
    assert any("SLOWER" in line and "ms ->" in line for line in bf16)
    assert any("DROPPED" in line and "x ->" in line for line in bf16)
    assert "result: REGRESSION" in out


def test_without_the_flag_a_regression_is_reported_but_exits_0(storage):
    code, out, _ = run("compare", "previous", "latest", "--storage", str(storage))
    assert code == 0 and "REGRESSION" in out


def test_improvement_is_reported_as_unexpected(storage):
    code, out, _ = run("compare", "0003", "0002", "--storage", str(storage), "--fail-on-regression")
    assert "FASTER" in out and "unexpected improvement" in out


@pytest.mark.parametrize("argv,problem", [
    (("compare", "0001", "0099"), "mpmodel compare: error: 0099: no such file, and no saved run numbered '0099'"),
    (("compare", "nope.json", "0001"), "mpmodel compare: error: nope.json: no such file"),
])
def test_bad_run_names_are_one_line_errors(storage, argv, problem):
    code, out, err = run(*argv, "--storage", str(storage))
    assert code == 2 and err.strip().startswith(problem) and "\n" not in err.strip()


def test_bad_threshold_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as info:
        main(["compare", "a", "b", "--threshold", "10"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == ("mpmodel compare: error: argument --threshold: '10' must be a fraction in [0, 1), "
                   "e.g. 0.1 for 10% (see mpmodel compare -h)\n")


def test_report_lists_runs_and_marks_the_context_change(storage, tmp_path):
    code, out, _ = run("report", "--storage", str(storage), "--plot", str(tmp_path / "h.png"))
    assert code == 0
    assert "changed: TF_ENABLE_ONEDNN_OPTS unset -> 0" in out
    for number in ("0001", "0002", "0003"):
        assert f"\n{number}  " in out
    assert (tmp_path / "h.png").read_bytes().startswith(b"\x89PNG")


def test_report_shows_lasting_shifts_and_their_cause(tmp_path, saved_runs, write_history):
    a, b, off = (r.path for r in saved_runs)
    write_history(tmp_path / "s" / "m", [a, b, a, b, off, off])
    code, out, _ = run("report", "--storage", str(tmp_path / "s"))
    assert "test_step_time[small-mixed_bfloat16] step time:" in out
    assert "from run 0005, where TF_ENABLE_ONEDNN_OPTS unset -> 0" in out


def test_report_shows_its_last_runs_and_searches_each_contexts_window(tmp_path, saved_runs, write_history):
    a, b, off = (r.path for r in saved_runs)
    write_history(tmp_path / "s" / "m", [a, b, a, b, off, off])
    code, out, _ = run("report", "--storage", str(tmp_path / "s"), "--last", "2")
    assert code == 0 and "(4 earlier runs read and searched for shifts, not shown: --last N shows more)" in out
    assert "\n0005 " in out and "\n0004 " not in out
    assert "from run 0005, where TF_ENABLE_ONEDNN_OPTS unset -> 0" in out  # found among the runs not shown
    code, out, _ = run("report", "--storage", str(tmp_path / "s"), "--window", "2")  # each context's last 2
    assert code == 0 and [line[:4] for line in out.splitlines() if line[:2] == "00"] == ["0003", "0004", "0005", "0006"]
    assert "lasting shifts: none detected" in out  # each series searched in its last 2 runs: too few for a shift


@pytest.mark.session
def test_a_reader_that_stops_early_gets_no_traceback(storage):
    """`mpmodel report | head -1`: the pipe closes before the report is written."""
    proc = subprocess.Popen([sys.executable, "-m", "mpmodel", "report", "--storage", str(storage)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and "Traceback" not in err, err


def test_report_on_empty_storage_is_an_error(tmp_path):
    code, _, err = run("report", "--storage", str(tmp_path))
    assert code == 2 and "no readable saved runs" in err


def test_calibrate_from_saved_runs_is_stored_and_used(storage):
    code, out, _ = run("calibrate", "--storage", str(storage), *map(str, sorted(storage.rglob("0001_*.json"))),
                       *map(str, sorted(storage.rglob("0002_*.json"))))
    assert code == 0 and (storage / CALIBRATION_FILE).is_file()
    assert "calibration from 2 A/A runs" in out
    code, out, _ = run("compare", "0001", "0002", "--storage", str(storage))
    assert "calibrated" in out
    code, out, _ = run("compare", "0003", "0002", "--storage", str(storage))
    assert f"calibration {storage / CALIBRATION_FILE} not used: run 0003 differs from its A/A runs " \
           "(TF_ENABLE_ONEDNN_OPTS unset -> 0)" in out
    assert "calibrated" not in out


def test_calibrate_refuses_runs_that_are_not_aa(storage):
    code, _, err = run("calibrate", "--storage", str(storage), *map(str, sorted(storage.rglob("000[23]_*.json"))))
    assert code == 2 and "not an A/A run" in err


def test_calibrate_runs_the_suite_itself(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_step_time.py").write_text(textwrap.dedent("""
        import time
        def test_step_time(benchmark):
            benchmark.extra_info["policy"] = "float32"
            benchmark.pedantic(time.sleep, args=(0.001,), rounds=5)
    """))
    storage = tmp_path / "storage"
    code, out, _ = run("calibrate", "--storage", str(storage), "--repeat", "2", "--pytest-args", str(suite))
    assert code == 0, out
    assert len(list(storage.rglob("*_aa-calibration.json"))) == 2
    assert "step time test_step_time" in out


@pytest.mark.session
def test_python_dash_m_runs_the_same_command(storage):
    result = subprocess.run([sys.executable, "-m", "mpmodel", "compare", "0001", "0002", "--storage", str(storage)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "result: no significant regression" in result.stdout


@pytest.mark.session
def test_version_names_the_release_and_the_schema_it_saves():
    import importlib.metadata

    from mpmodel.measure.results import SCHEMA_VERSION

    result = subprocess.run([sys.executable, "-m", "mpmodel", "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"mpmodel {importlib.metadata.version('mpmodel')} (saved results: schema {SCHEMA_VERSION})"


def test_the_changelog_has_an_entry_for_this_version():
    from pathlib import Path

    import mpmodel

    changelog = (Path(__file__).resolve().parents[2] / "CHANGELOG.md").read_text()
    assert f"\n## {mpmodel.__version__} (" in changelog, "CHANGELOG.md must say what this version changed in saved results"


def test_runs_with_nothing_in_common_are_an_error_not_a_pass(storage):
    import json

    path = next(storage.rglob("0003_*.json"))
    content = json.loads(path.read_text())
    for bench in content["benchmarks"]:
        bench["name"] = bench["name"].replace("small", "seed")
    content["machine_info"]["mpmodel"]["profile"] = "seed"
    path.write_text(json.dumps(content))
    code, out, err = run("compare", "0002", "0003", "--storage", str(storage), "--fail-on-regression")
    assert code == 2
    assert err.strip() == "mpmodel compare: error: 0002 and 0003 share no step-time or speedup benchmark (profile small vs seed)"


def test_compare_as_markdown_and_json(storage):
    import json

    code, out, _ = run("compare", "0002", "0003", "--storage", str(storage), "--format", "markdown",
                       "--fail-on-regression")
    assert code == 1 and out.startswith("### mpmodel compare: **REGRESSION** in ")
    assert "| speedup | mixed_bfloat16 |" in out and "**DROPPED**" in out
    code, out, _ = run("compare", "0001", "0002", "--storage", str(storage), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["regression"] is False and {c["kind"] for c in data["changes"]} == {"step time", "speedup"}


def test_every_history_command_speaks_json(storage, tmp_path):
    import json

    code, out, _ = run("report", "--storage", str(storage), "--format", "json")
    data = json.loads(out)
    assert code == 0 and [r["name"][:4] for r in data["runs"]] == ["0001", "0002", "0003"]
    assert any(k.startswith("speedup|test_speedup[") for k in data["runs"][0]["levels"])
    aa_pair = sorted(str(p) for p in storage.rglob("*.json") if p.name.startswith(("0001", "0002")))
    code, out, _ = run("calibrate", *aa_pair, "--storage", str(storage), "--format", "json")
    assert code == 0 and json.loads(out)["series"]
    code, out, _ = run("ingest", str(storage), "--history", f"sqlite:///{tmp_path / 'h.db'}", "--format", "json")
    assert code == 0 and json.loads(out)["added"] == 3
