"""The suite's only network use is Keras's MNIST download; --mp-offline and MPMODEL_OFFLINE stop even that.

A guard replaces the socket layer: every connection or name lookup is recorded and refused.
The control test shows the guard sees Keras's download attempt, so an empty record means that
no connection was tried, not that the guard missed it.
"""

import json
import os
import socket

import pytest
from mnist_files import write_npz

from mpmodel.core.data import DataError, readers, sources

pytest_plugins = ("pytester",)


@pytest.fixture
def network_attempts(monkeypatch, tmp_path):
    """Record and refuse every connection and name lookup; Keras's cache is an empty folder."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    attempts = []

    def refuse(kind):
        def guard(*args, **kwargs):
            attempts.append((kind, args[1:2] if kind == "connect" else args[:2]))
            raise OSError(f"network use refused by the test guard ({kind})")
        return guard

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    return attempts


@pytest.fixture
def small_synthetic(monkeypatch):
    real = sources.synthetic_mnist
    monkeypatch.setattr(sources, "synthetic_mnist", lambda *a: real(512, 128))


def test_control_without_offline_keras_tries_the_download(network_attempts, small_synthetic):
    pytest.importorskip("tensorflow" if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow"
                        else os.environ["KERAS_BACKEND"], reason="Keras's backend is not installed")
    loaded = sources.load_data("auto")
    assert network_attempts, "the guard saw no download attempt: it would not catch one either"
    assert loaded.source.startswith("synthetic") and "download failed" in loaded.note


def test_offline_auto_falls_back_without_touching_the_network(network_attempts, small_synthetic):
    loaded = sources.load_data("auto", offline=True)
    assert network_attempts == []
    assert loaded.source.startswith("synthetic") and "offline, so no download was tried" in loaded.note


def test_offline_mnist_fails_with_one_line_and_no_connection(network_attempts):
    with pytest.raises(DataError, match=r"^mnist: no real MNIST at .*offline, so no download was tried"):
        sources.load_data("mnist", offline=True)
    assert network_attempts == []


def test_offline_still_takes_keras_cache(network_attempts, tmp_path):

    cache = readers.keras_cache_path()
    cache.parent.mkdir(parents=True)
    write_npz(cache)
    assert sources.load_data("mnist", offline=True).source == f"keras-cache:{cache}"
    assert network_attempts == []


NETWORK_GUARD = """
import json, socket

ATTEMPTS = []

def _refuse(*args, **kwargs):
    ATTEMPTS.append(repr(args[:2]))
    raise OSError("network use refused by the test guard")

socket.socket.connect = _refuse
socket.getaddrinfo = _refuse
socket.create_connection = _refuse

def pytest_unconfigure(config):  # after pytest-benchmark has saved the run
    with open("attempts.json", "w") as fh:
        json.dump(ATTEMPTS, fh)
"""

GUARDED_SESSION = """
def test_data_loaded_offline(benchmark, mp_run, mp_workload, policy):
    assert mp_run.data.source.startswith("synthetic") and "offline" in mp_run.data.note
    benchmark(sum, range(100))
"""


@pytest.mark.session
@pytest.mark.parametrize("switch", ["flag", "env"])
def test_a_whole_offline_session_opens_no_connection(pytester, monkeypatch, switch):
    """Plugin, device detection, data loading and pytest-benchmark's machine info, under the guard."""
    monkeypatch.setenv("KERAS_HOME", str(pytester.path / "keras"))
    pytester.makeconftest(NETWORK_GUARD)
    pytester.makepyfile(GUARDED_SESSION)
    args = ["-p", "mpmodel.plugin", "--mp-profile", "tiny", "--mp-policies", "float32", "--benchmark-autosave",
            f"--benchmark-storage=file://{pytester.path / 'storage'}"]
    if switch == "flag":
        args.append("--mp-offline")
    else:
        monkeypatch.setenv("MPMODEL_OFFLINE", "1")
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["mpmodel: *data=auto (offline)*", "mpmodel data: synthetic-v1 *offline*"])
    assert list((pytester.path / "storage").rglob("0001_*.json")), "the run was saved"
    assert json.loads((pytester.path / "attempts.json").read_text()) == []


@pytest.mark.session
def test_a_bad_offline_environment_value_is_one_line(pytester, monkeypatch):
    monkeypatch.setenv("MPMODEL_OFFLINE", "maybe")
    pytester.makepyfile("def test_suite(mp_run):\n    pass\n")  # read where the suite is used
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: MPMODEL_OFFLINE: 'maybe' is not 1/true/yes or 0/false/no (from the environment)"])
