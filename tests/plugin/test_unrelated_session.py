"""A session that never asks for the suite is untouched by mpmodel installed: the issue's two-test file passes
with a Keras backend named that is not installed, prints nothing of mpmodel's, and loads none of its heavy
imports; what pytest-benchmark saves is what it saves without mpmodel."""

import json
import subprocess
import sys
import textwrap

import pytest

UNRELATED = """\
def test_add():
    assert 1 + 1 == 2


def test_sum(benchmark):
    benchmark(sum, range(100))
"""
# pytest run in-process, then what it loaded and what pytest-benchmark saved
RUNNER = textwrap.dedent("""
    import json, sys, pytest
    code = pytest.main(["-q", "-p", "no:cacheprovider", "test_two.py", *sys.argv[1:]])
    loaded = [m for m in ("sqlalchemy", "scipy", "keras", "mpmodel.plugin.session") if m in sys.modules]
    print("RESULT", json.dumps({"code": int(code), "loaded": loaded,
                                "plugin": "mpmodel.plugin" in sys.modules}))
""")


def run(folder, *args):
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=folder, capture_output=True, text=True,
                          timeout=120, env={"KERAS_BACKEND": "no_such_backend", "PATH": "/usr/bin:/bin",
                                            "PYTHONPATH": ":".join(sys.path)})
    return proc, json.loads(proc.stdout.split("RESULT ", 1)[1])


def shape(saved: dict) -> dict:
    """A saved run's keys, down to one benchmark's stats: what a plugin could have changed."""
    bench = saved["benchmarks"][0]
    return {"top": sorted(saved), "machine_info": sorted(saved["machine_info"]), "bench": sorted(bench),
            "stats": sorted(bench["stats"]), "extra_info": bench["extra_info"]}


@pytest.mark.session
def test_an_unrelated_session_passes_unchanged_and_quiet(tmp_path):
    (tmp_path / "test_two.py").write_text(UNRELATED)
    proc, result = run(tmp_path, "--benchmark-json=out.json")
    assert result["code"] == 0, proc.stdout
    assert result["plugin"], "the plugin was not registered, so this test shows nothing"
    assert result["loaded"] == [], f"an unrelated session imported {result['loaded']}"
    assert "mpmodel" not in proc.stdout.split("RESULT ")[0] + proc.stderr
    _, alone = run(tmp_path, "--benchmark-json=alone.json", "-p", "no:mpmodel.plugin")
    assert alone["code"] == 0 and not alone["plugin"]
    saved, without = (json.loads((tmp_path / name).read_text()) for name in ("out.json", "alone.json"))
    assert shape(saved) == shape(without)
