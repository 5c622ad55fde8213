"""Workloads by name: built-in, registered, package.module:factory, and the one line for each bad one."""

import sys

import pytest

from mpmodel.core.workload import WorkloadError
from mpmodel.core.workloads import import_root, known_names, parse_workload_list, resolve
from mpmodel.core.workloads.mlp import SeedMLP


def test_the_seed_mlp_is_built_in_and_the_default():
    assert isinstance(resolve("mlp"), SeedMLP)
    assert known_names()[0] == "mlp"
    assert parse_workload_list("all")[0] == "mlp"


def test_a_list_is_checked_by_name_without_importing():
    assert parse_workload_list(" mlp , pkg.mod:make ,mlp") == ("mlp", "pkg.mod:make")
    with pytest.raises(ValueError, match="unknown workload resnet; known: mlp"):
        parse_workload_list("mlp,resnet")


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    (tmp_path / "user_workloads.py").write_text(
        "from mpmodel.core.workloads.mlp import SeedMLP\n"
        "class Named(SeedMLP):\n    name = 'mine'\n"
        "def make():\n    return Named()\n"
        "def broken():\n    raise RuntimeError('no GPU here')\n"
        "number = 3\n"
        "def wrong():\n    return 'mlp'\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("user_workloads", None)


def test_a_factory_or_a_class_gives_a_workload_its_children_can_import(module_dir):
    made = resolve("user_workloads:make")
    assert made.name == "mine" and made.spec == "user_workloads:make"
    assert made.import_root == str(module_dir)
    assert resolve("user_workloads:Named").name == "mine"
    assert import_root("user_workloads") == str(module_dir)


@pytest.mark.parametrize("spec, expect", [
    ("user_workloads:number", "user_workloads:number: int object is not callable"),
    ("user_workloads:wrong", "returned str, not an mpmodel.Workload"),
    ("user_workloads:broken", "the factory raised RuntimeError: no GPU here"),
    ("user_workloads:absent", "module user_workloads has no absent"),
    ("no_such_module_here:make", "module no_such_module_here does not import: ModuleNotFoundError"),
    ("resnet", "unknown workload; known: mlp"),
    (":make", "expected package.module:factory"),
])
def test_each_bad_spec_is_one_line(module_dir, spec, expect):
    with pytest.raises(WorkloadError, match=expect) as info:
        resolve(spec)
    assert "\n" not in str(info.value)
