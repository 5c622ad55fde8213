"""A Keras backend that is not installed: one line naming where it was chosen and the fix, before collection."""

from pathlib import Path

import pytest

from mpmodel.plugin.backend_check import configured_backend, missing_backend_message

pytest_plugins = ("pytester",)
SUITE = Path(__file__).resolve().parents[2] / "benchmarks"


def test_backend_is_read_as_keras_reads_it(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert configured_backend() == ("torch", "KERAS_BACKEND")
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "keras.json").write_text("not json")
    assert configured_backend() == ("tensorflow", "Keras's default")

def test_missing_backend_is_one_line_naming_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    line = missing_backend_message(ImportError("No module named 'tensorflow'"))
    assert line.startswith("Keras backend tensorflow (from KERAS_BACKEND) cannot load (No module named 'tensorflow'); ")
    assert "fix: pip install 'mpmodel[tensorflow]'" in line and "\n" not in line
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert missing_backend_message(ImportError("x")).startswith("Keras backend tensorflow (from Keras's default)")
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    assert missing_backend_message(ImportError("x")).startswith(f"Keras backend jax (from {tmp_path / 'keras.json'})")


@pytest.mark.session
@pytest.mark.parametrize("args", [["--mp-profile", "tiny"], [str(SUITE)], ["--pyargs", "mpmodel.suite"]],
                         ids=["an --mp option", "the suite", "the suite by name"])
def test_uninstalled_backend_stops_a_suite_session_before_collection_with_one_line(pytester, monkeypatch, args):
    pytester.makepyfile("import keras\ndef test_never(): pass\n")
    monkeypatch.setenv("KERAS_BACKEND", "nosuchbackend")
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: Keras backend nosuchbackend (from KERAS_BACKEND) cannot load (No module named "
                                 "'nosuchbackend'); installed backends: *"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
