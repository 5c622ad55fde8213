"""The history CLI with the bad and edge inputs a new user tries (issue 33): reads never make a store, a run is
never compared with itself, an ingest of nothing fails, -V is --version, run numbers and thresholds as
pytest-benchmark's users type them, Markdown from report, and every command's help with an example and its exits."""

import pytest
from test_cli import run as run_cli  # the CLI in this process: (exit code, stdout, stderr)

from mpmodel.history.cli import COMMANDS, main, parser
from mpmodel.history.cli.calibrate import SUITE_ARGS
from mpmodel.store.database import RunStore


def run(*argv):
    code, out, err = run_cli(*argv)
    return code, out, err.strip()


@pytest.mark.parametrize("command", ["report", "matrix", "compare"])
def test_a_read_of_a_sqlite_file_that_is_not_there_makes_none(command, tmp_path):
    db = tmp_path / "history.db"
    args = ("compare", "previous", "latest") if command == "compare" else (command,)
    code, _, err = run(*args, "--source", f"sqlite:///{db}")
    assert code == 2 and "\n" not in err, err
    assert f"sqlite:///{db}: no such database file (nothing has been saved there" in err
    assert not db.exists()


def test_a_read_of_an_empty_database_makes_no_tables(store_url):
    code, _, err = run("report", "--source", store_url)
    assert code == 2 and "\n" not in err, err
    if store_url.startswith("sqlite"):
        assert "no such database file" in err
    else:
        assert "holds no mpmodel history (nothing has been saved there" in err
        assert RunStore(store_url).revision() is None  # the read made no tables


def test_a_write_still_makes_its_store(storage, tmp_path):
    db = tmp_path / "new.db"
    assert run("ingest", str(storage), "--source", f"sqlite:///{db}")[0] == 0
    code, out, _ = run("report", "--source", f"sqlite:///{db}")
    assert code == 0 and "0003" in out


@pytest.mark.parametrize("before,after", [("0001", "0001"), ("1", "0001"), ("latest", "0003")])
def test_a_run_compared_with_itself_is_refused(storage, before, after):
    code, out, err = run("compare", before, after, "--storage", str(storage), "--fail-on-regression")
    assert code == 2 and out == "", out
    assert "are the same run (0003)" in err or "are the same run (0001)" in err, err
    assert "no significant regression" not in out


def test_run_numbers_need_no_padding(storage):
    padded, unpadded = (run("compare", *pair, "--storage", str(storage)) for pair in (("0002", "0003"), ("2", "3")))
    assert unpadded[0] == padded[0] == 0 and unpadded[1] == padded[1]


@pytest.mark.parametrize("given,shown", [("15%", "step time 15%, speedup 15%"), ("0.15", "step time 15%, speedup 15%")])
def test_a_threshold_reads_as_a_percentage_or_a_fraction(storage, given, shown):
    code, out, _ = run("compare", "0001", "0002", "--storage", str(storage), "--threshold", given)
    assert code == 0 and shown in out, out


def test_a_percentage_out_of_range_is_one_line(storage, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", "0001", "0002", "--storage", str(storage), "--threshold", "150%"])
    assert stop.value.code == 2
    assert "'150%' must be a percentage in [0%, 100%)" in capsys.readouterr().err


def test_an_ingest_of_nothing_fails(tmp_path):
    (tmp_path / "empty").mkdir()
    code, out, err = run("ingest", str(tmp_path / "empty"), "--source", f"sqlite:///{tmp_path / 'h.db'}")
    assert code == 2 and "no saved-run files (*.json) to ingest" in err and "ingested" not in out


def test_dash_v_is_the_version(capsys):
    outputs = []
    for flag in ("-V", "--version"):
        with pytest.raises(SystemExit) as stop:
            main([flag])
        assert stop.value.code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and outputs[0].startswith("mpmodel ")


def test_report_speaks_markdown(storage):
    code, out, _ = run("report", "--storage", str(storage), "--format", "markdown")
    assert code == 0 and out.startswith("### mpmodel report")
    assert "| run | date (UTC) | commit | policy | step ms | speedup [95% CI] |" in out
    assert "| 0003 |" in out and "mixed_bfloat16 | 131.2 | 0.875x [0.825, 0.901] FAIL |" in out


def test_every_command_says_what_it_does_with_an_example_and_its_exits(capsys):
    for name in COMMANDS:
        with pytest.raises(SystemExit):
            main([name, "-h"])
        text = " ".join(capsys.readouterr().out.split())
        assert "Exit codes: 0 " in text and "example: mpmodel " + name in text, (name, text[:400])


def test_calibrate_runs_the_installed_suite_by_default():
    sub = next(a for a in parser()._actions if getattr(a, "choices", None) and "calibrate" in a.choices)
    args = sub.choices["calibrate"].parse_args([])
    assert args.pytest_args == SUITE_ARGS == "--pyargs mpmodel.suite"


def test_one_precision_per_quantity_across_report_compare_and_matrix(storage):
    report = run("report", "--storage", str(storage))[1]
    matrix = run("matrix", "--storage", str(storage))[1]
    compare = run("compare", "0002", "0003", "--storage", str(storage))[1]
    for text in (report, matrix, compare):
        assert "131.2" in text  # 0003's bf16 step, in ms, 4 significant digits
    assert "0.875x" in report and "0.875x" in matrix


def test_explain_prints_a_gates_whole_message_from_the_saved_run(storage):
    code, out, _ = run("explain", "test_speedup[small-mixed_bfloat16]", "--storage", str(storage))
    assert code == 0 and out.startswith("test_speedup[small-mixed_bfloat16] (0003): FAIL: mixed_bfloat16 speedup")
    assert "is under the expected minimum 1.3x" in out
    code, out, _ = run("explain", "test_speedup", "--run", "1", "--storage", str(storage))
    assert code == 0 and len(out.splitlines()) == 2 and "(0001): pass" in out


def test_explain_of_no_such_test_is_one_line(storage):
    code, out, err = run("explain", "test_nothing", "--storage", str(storage))
    assert code == 2 and "'test_nothing': no result of run 0003 has it in its test id" in err and "\n" not in err
