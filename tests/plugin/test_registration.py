"""The plugin as installed: the pytest11 entry point gives any pytest session its options and fixture,
and naming the module as well (`-p`, a conftest's pytest_plugins) registers it once."""

import importlib.metadata
import json

import pytest

from mpmodel.plugin import options

pytest_plugins = ("pytester",)

USES_THE_PLUGIN = """
def test_plugin_is_there(request, mp_run):
    hooks = request.config.pluginmanager.get_plugins()
    assert sum(1 for p in hooks if getattr(p, "__name__", "") == "mpmodel.plugin") == 1
    assert mp_run.settings.policies == ("float32",)
"""


def entry_point():
    found = [e for e in importlib.metadata.entry_points(group="pytest11") if e.value == "mpmodel.plugin"]
    if not found:
        pytest.skip("mpmodel is not installed (pip install -e .): no pytest11 entry point to test")
    return found[0]


def test_the_entry_point_is_named_after_the_module_so_pytest_registers_it_once():
    assert entry_point().name == "mpmodel.plugin"


# Registration is wiring: the cheapest session that still runs the suite's start (tiny, float32 alone).
CHEAP = ("--mp-profile", "tiny", "--mp-policies", "float32", "--mp-data", "synthetic")


@pytest.mark.session
@pytest.mark.parametrize("extra", [(), ("-p", "mpmodel.plugin")], ids=["entry point alone", "and -p"])
def test_any_session_gets_options_and_fixture_once(pytester, extra):
    entry_point()
    pytester.makepyfile(USES_THE_PLUGIN)
    result = pytester.runpytest_subprocess(*extra, *CHEAP)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["mpmodel: workload=auto profile=tiny policies=float32*"])


@pytest.mark.session
def test_a_conftest_naming_the_plugin_works_with_autoload_off_and_on(pytester, monkeypatch):
    entry_point()
    pytester.makeconftest('pytest_plugins = ("mpmodel.plugin",)\n')
    pytester.makepyfile(USES_THE_PLUGIN)
    pytester.runpytest_subprocess(*CHEAP).assert_outcomes(passed=1)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = pytester.runpytest_subprocess("-p", "pytest_benchmark.plugin", *CHEAP)
    result.assert_outcomes(passed=1)


def test_accuracy_tolerance_help_names_the_bound_the_gate_takes():
    (tol,) = [o for o in options.OPTIONS if o.flag == "--mp-accuracy-tol"]
    assert "95% lower confidence bound of the mean paired delta" in tol.help and "median" not in tol.help


@pytest.mark.session
def test_saved_runs_keep_every_round_whichever_way_the_plugin_was_registered(pytester):
    """A session that uses the suite saves every round (pytest-benchmark's --benchmark-save-data, read when it
    saves), with the entry point alone; one that does not keeps pytest-benchmark's default (no rounds)."""
    entry_point()
    pytester.makepyfile(
        "def test_sum(benchmark, mp_run):\n    benchmark.pedantic(sum, args=(range(10),), rounds=5)\n"
        "def test_plain(benchmark):\n    benchmark.pedantic(sum, args=(range(10),), rounds=5)\n")
    result = pytester.runpytest_subprocess("--benchmark-autosave", *CHEAP, "-k", "test_sum")
    assert result.ret == 0
    (saved,) = (pytester.path / ".benchmarks").rglob("*.json")
    (bench,) = json.loads(saved.read_text())["benchmarks"]
    assert len(bench["stats"]["data"]) == 5
    saved.unlink()
    assert pytester.runpytest_subprocess("--benchmark-autosave", "-k", "test_plain").ret == 0
    (saved,) = (pytester.path / ".benchmarks").rglob("*.json")
    (bench,) = json.loads(saved.read_text())["benchmarks"]
    assert "data" not in bench["stats"] and "mpmodel" not in json.loads(saved.read_text())
