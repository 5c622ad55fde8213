"""The package's layers: dependencies point one way, the plugin loads no framework, function-local
imports are only of frameworks and optional libraries, each with its reason; only the backend package
imports TensorFlow, JAX or PyTorch or tells the backends apart by name; history reads runs only through the
run source."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mpmodel"
# What each layer may import from mpmodel: itself and the layers below it.
ALLOWED = {
    "core": {"core"},
    "measure": {"core", "measure"},
    "store": {"core", "measure", "store"},
    "plugin": {"core", "measure", "store", "plugin"},
    "history": {"core", "measure", "store", "history"},
    "suite": {"core", "measure", "plugin", "suite"},  # the benchmarks shipped in the package (pytest --pyargs)
    "": {"core", "history"},  # mpmodel/__init__.py (public names) and __main__.py (the CLI)
}
FRAMEWORKS = ("keras", "tensorflow", "torch", "jax")
BACKEND_FRAMEWORKS = ("tensorflow", "torch", "jax")
BACKEND_PACKAGE = "mpmodel.core.backends"
STUDIES = PACKAGE.parent / "studies"
LOADED_ON_PURPOSE = {*FRAMEWORKS, "pynvml", "matplotlib"}
# mpmodel modules loaded late on purpose: the plugin's heavy half, only in sessions that use the suite
LOADED_LATE = {"mpmodel.plugin.session"}
HEAVY = ("sqlalchemy", "scipy", *FRAMEWORKS)  # what a session that never uses the suite must not pay for


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield path, ".".join(p for p in parts if p != "__init__")


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else ""


def imports(path: Path):
    """(module imported, line, whether at module level) for every import in the file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            base = node.module or ""
            names = [base] if base != "mpmodel" else [f"mpmodel.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            yield name, node.lineno, id(node) in top


def test_every_layer_has_its_docstring():
    for name in ("core", "measure", "store", "plugin", "history"):
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and "import" in doc, f"mpmodel/{name}/__init__.py must say what the layer owns and may import"


def test_no_module_imports_against_the_layer_direction():
    wrong = []
    for path, module in modules():
        for name, line, _ in imports(path):
            if name.startswith("mpmodel.") and layer(name) not in ALLOWED[layer(module)]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({layer(module) or 'top'}) imports {name}")
    assert not wrong, "imports against plugin/history -> measure -> core:\n" + "\n".join(wrong)


def test_the_check_sees_a_wrong_import():
    """Control: the same walk flags an import from the plugin in the core."""
    assert layer("mpmodel.plugin.options") not in ALLOWED[layer("mpmodel.core.model")]
    assert layer("mpmodel.history.matrix") not in ALLOWED[layer("mpmodel.plugin.saving")]


def test_function_local_imports_load_a_framework_or_optional_library_and_say_why():
    lines_of = {}
    wrong = []
    for path, _ in modules():
        lines = lines_of.setdefault(path, path.read_text().splitlines())
        for name, line, at_top in imports(path):
            if at_top:
                continue
            reason = lines[line - 1].partition("# noqa: PLC0415")[2].strip()
            if (name.split(".")[0] not in LOADED_ON_PURPOSE and name not in LOADED_LATE) or not reason.startswith("("):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name} {reason or 'without a reason'}")
    assert not wrong, "\n".join(wrong)


# benchmarks/conftest.py loads before the plugin checks its options and data: what it imports must be light too
@pytest.mark.framework
@pytest.mark.parametrize("module", ["mpmodel", "mpmodel.plugin", "mpmodel.plugin.session", "mpmodel.history.cli",
                                    "mpmodel.core.speed_of_light",
                                    "mpmodel.measure.ceilings"])
def test_importing_loads_no_framework(module):
    code = f"import sys, {module}; print(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"import {module} loaded {loaded}"


def test_the_plugin_entry_module_loads_nothing_heavy():
    """Every pytest session with mpmodel installed imports mpmodel.plugin: no SQLAlchemy, SciPy or framework."""
    code = f"import sys, mpmodel.plugin; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"import mpmodel.plugin loaded {loaded}"


@pytest.mark.framework
def test_the_heavy_check_sees_a_heavy_import():
    """Control: the suite's own half does load them."""
    code = f"import sys, mpmodel.plugin.session; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert "sqlalchemy" in loaded and "scipy" in loaded


def in_backend_package(module: str) -> bool:
    return module == BACKEND_PACKAGE or module.startswith(BACKEND_PACKAGE + ".")


def outside_the_backends():
    """(path, module) of every module of the package and of studies/ outside the backend package."""
    for path, module in modules():
        if not in_backend_package(module):
            yield path, module
    for path in sorted(STUDIES.rglob("*.py")):
        yield path, f"studies.{path.stem}"


def test_only_the_backend_package_imports_a_framework():
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
             for path, _ in outside_the_backends() for name, line, _ in imports(path)
             if name.split(".")[0] in BACKEND_FRAMEWORKS]
    assert not wrong, "only mpmodel/core/backends/ may import a framework:\n" + "\n".join(wrong)


def names_a_backend(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in BACKEND_FRAMEWORKS


def backend_branches(tree) -> list[int]:
    """Lines that tell backends apart by name: a comparison with a backend's name (==, !=, in a literal of them),
    or a dispatch table keyed by two or more backend names."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            literal = [e for o in operands if isinstance(o, (ast.Tuple, ast.List, ast.Set)) for e in o.elts]
            if any(names_a_backend(o) for o in operands + literal):
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict) and sum(names_a_backend(k) for k in node.keys) >= 2:
            lines.append(node.lineno)
    return lines


def test_no_module_outside_the_backend_package_branches_on_a_backends_name():
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}" for path, _ in outside_the_backends()
             for line in backend_branches(ast.parse(path.read_text()))]
    assert not wrong, "a backend's behaviour belongs in mpmodel/core/backends/<name>/:\n" + "\n".join(wrong)


def test_the_branch_check_sees_a_branch_and_a_dispatch_table():
    """Control: the walk flags what the seed's six modules did."""
    code = ('if backend == "torch": pass\nok = backend in ("jax", "numpy")\n'
            'table = {"tensorflow": f, "jax": g}\nversions.get("torch")\n')
    assert backend_branches(ast.parse(code)) == [1, 2, 3]


# What the history layer may take from the store: the run model and the source interface, never a database or a
# file read of its own.
RUN_READERS = {"mpmodel.store.database", "mpmodel.store.runs.load_run", "mpmodel.store.runs.read_content",
               "mpmodel.store.runs.parse_run"}


def store_imports(text: str):
    """(what is imported from the store, line): modules, and names as module.name."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("mpmodel.store"):
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mpmodel.store"):
                    yield alias.name, node.lineno


def test_history_reads_runs_only_through_the_source():
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}" for path, module in modules()
             if layer(module) == "history" for name, line in store_imports(path.read_text()) if name in RUN_READERS]
    assert not wrong, "history reads runs through mpmodel.store.source only:\n" + "\n".join(wrong)


def test_the_source_check_sees_a_reader():
    """Control: the same walk names a database import and a file read."""
    code = "from mpmodel.store.database import RunStore\nfrom mpmodel.store.runs import SavedRun, load_run\n"
    assert {n for n, _ in store_imports(code)} & RUN_READERS == {"mpmodel.store.database", "mpmodel.store.runs.load_run"}


COMPILE_MODE_SPELLINGS = ("compiled", "jit_compile")  # the compile mode is `jit: str` (auto, on, off) everywhere


def compile_mode_parameters(source: str) -> list[str]:
    """'function(parameter)' for each parameter that takes the compile mode under another name."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            for a in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                if a.arg in COMPILE_MODE_SPELLINGS:
                    out.append(f"{getattr(node, 'name', 'lambda')}({a.arg})")
    return out


def test_no_function_takes_the_compile_mode_under_another_name():
    found = {str(p.relative_to(PACKAGE)): hits for p in sorted(PACKAGE.rglob("*.py"))
             if (hits := compile_mode_parameters(p.read_text()))}
    assert not found, f"take the compile mode as `jit` (a StepKey's, or resolve_jit's on/off): {found}"


def test_the_compile_mode_check_sees_another_name():
    assert compile_mode_parameters("def f(policy, compiled: bool):\n    pass\ng = lambda jit_compile: 1\n") == [
        "f(compiled)", "lambda(jit_compile)"]
