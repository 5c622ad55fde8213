"""The package a team installs: a wheel and an sdist built as a package index gets them (`python -m build`), whose
metadata the index's own checker accepts (`twine check --strict`), carrying the shipped suite, the store's
schema revisions, the pytest plugin's entry point and the `mpmodel` command."""

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from mpmodel.core.version import VERSION

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)], check=True,
                   capture_output=True, text=True)
    return out


@pytest.mark.package
def test_the_wheel_and_sdist_pass_the_index_checker(dist):
    files = sorted(str(p) for p in dist.iterdir())
    assert [Path(f).name for f in files] == [f"mpmodel-{VERSION}-py3-none-any.whl", f"mpmodel-{VERSION}.tar.gz"]
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.package
def test_the_wheel_ships_the_suite_the_schema_revisions_and_the_entry_points(dist):
    wheel = zipfile.ZipFile(next(dist.glob("*.whl")))
    names = set(wheel.namelist())
    for module in ("conftest", "test_speedup", "test_memory", "test_accuracy", "test_step_time"):
        assert f"mpmodel/suite/{module}.py" in names
    assert {"mpmodel/store/migrations/env.py", "mpmodel/store/migrations/versions/0002_series_columns.py"} <= names
    info = f"mpmodel-{VERSION}.dist-info"
    entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert "mpmodel.plugin = mpmodel.plugin" in entry_points and "mpmodel = mpmodel.history.cli:main" in entry_points
    meta = Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
    assert meta["Name"] == "mpmodel" and meta["Version"] == VERSION and meta["License-Expression"] == "Apache-2.0"
    assert meta["Description-Content-Type"] == "text/markdown" and "## Gating a GPU CI job" in meta.get_payload()
    extras = meta.get_all("Provides-Extra")
    assert {"tensorflow", "jax", "torch", "gpu", "plot", "postgres"} <= set(extras)


@pytest.mark.package
def test_the_sdist_builds_the_same_package(dist):
    with tarfile.open(next(dist.glob("*.tar.gz"))) as sdist:
        names = set(sdist.getnames())
    top = f"mpmodel-{VERSION}"
    assert {f"{top}/pyproject.toml", f"{top}/README.md", f"{top}/mpmodel/suite/test_speedup.py"} <= names
