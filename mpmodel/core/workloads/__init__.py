"""Workloads by name: the built-in ones, those installed packages register, and `package.module:factory`.

`resolve("mlp")` is a built-in; a name registered in the `mpmodel.workloads` entry-point group loads its
object; `"my_pkg.models:make_workload"` imports the module (the working directory first on the path, as
`python -m` does) and calls the factory (a Workload subclass or a function returning a Workload). Each is
checked (mpmodel.core.workload.check_workload); every failure is one WorkloadError line naming the spec.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys

from mpmodel.core.workload import Workload, WorkloadError, check_workload

BUILT_IN = {"mlp": "mpmodel.core.workloads.mlp:SeedMLP", "conv": "mpmodel.core.workloads.conv:ResidualConvNet",
            "transformer": "mpmodel.core.workloads.transformer:TransformerEncoder"}
ENTRY_POINT_GROUP = "mpmodel.workloads"
DEFAULT = "mlp"
AUTO = "auto"  # every built-in where a GPU is visible, the seed's MLP alone on a CPU (the CPU sizes' fits take minutes)


def registered() -> dict[str, object]:
    """Entry points of the `mpmodel.workloads` group, by name (loaded only when chosen)."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def known_names() -> list[str]:
    return [*BUILT_IN, *(n for n in registered() if n not in BUILT_IN)]


def _call(factory, spec: str) -> Workload:
    if not callable(factory):
        raise WorkloadError(f"--mp-workload {spec}: {type(factory).__name__} object is not callable")
    try:
        made = factory()
    except Exception as exc:  # noqa: BLE001 (a user's factory: any failure is reported in one line)
        raise WorkloadError(f"--mp-workload {spec}: the factory raised {type(exc).__name__}: {exc}") from None
    return check_workload(made, f"--mp-workload {spec}")


def import_root(module_name: str) -> str | None:
    """The sys.path entry `module_name` was imported from (children need it to import it too)."""
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    if not path:
        return None
    root = os.path.dirname(os.path.abspath(path))
    for _ in range(module_name.count(".") + (os.path.basename(path) == "__init__.py")):
        root = os.path.dirname(root)
    return root


def resolve(spec: str) -> Workload:
    """The workload `spec` names; WorkloadError in one line where it cannot be had."""
    spec = spec.strip()
    if ":" not in spec:
        target = BUILT_IN.get(spec)
        if target is None:
            entry = registered().get(spec)
            if entry is None:
                raise WorkloadError(f"--mp-workload {spec}: unknown workload; known: {', '.join(known_names())}, all, "
                                    "or package.module:factory")
            try:
                factory = entry.load()
            except Exception as exc:  # noqa: BLE001 (an installed package's entry point)
                raise WorkloadError(f"--mp-workload {spec}: entry point {entry.value} does not load: "
                                    f"{type(exc).__name__}: {exc}") from None
            return _call(factory, spec)
        module_name, attr = target.split(":")
        return _call(getattr(importlib.import_module(module_name), attr), spec)
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise WorkloadError(f"--mp-workload {spec}: expected package.module:factory")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 (a user's module: any import failure is reported in one line)
        raise WorkloadError(f"--mp-workload {spec}: module {module_name} does not import: "
                            f"{type(exc).__name__}: {exc}") from None
    if not hasattr(module, attr):
        raise WorkloadError(f"--mp-workload {spec}: module {module_name} has no {attr}")
    workload = _call(getattr(module, attr), spec)
    workload.spec, workload.import_root = spec, import_root(module_name)
    return workload


def parse_workload_list(text: str) -> tuple[str, ...]:
    """'mlp,my.mod:make' -> ('mlp', 'my.mod:make'); 'all': every built-in and registered name; 'auto' alone stays
    ('auto',) (decided once the device is known). Names only are checked here (no import); `resolve` imports."""
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    if not items:
        raise ValueError("no workload named")
    if items == [AUTO]:
        return (AUTO,)
    if "all" in items:
        items = [*known_names(), *(t for t in items if t != "all" and ":" in t)]
    names = known_names()
    unknown = [t for t in items if ":" not in t and t not in names]
    if unknown:
        raise ValueError(f"unknown workload {', '.join(unknown)}; known: {', '.join(names)}, all, or package.module:factory")
    return tuple(dict.fromkeys(items))
