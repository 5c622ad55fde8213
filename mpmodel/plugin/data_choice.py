"""--mp-data per workload: one source for every workload that reads it, or `name=SOURCE` parts for some.

`mnist` (or a path) goes to the workloads that read MNIST-format digits (the MLP, the convnet padded to
32x32x3); a workload that reads no such source at all (the transformer's synthetic task) keeps its own data,
and the header says why. `mlp=PATH,conv=cifar10` gives each named workload its own source, strictly; one bare
part is the source of the rest. A source that no workload of the session reads is one line, as is a broken one.
Data loads only for the workloads the session runs, once the device has decided what `auto` runs.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from mpmodel.core.data import DataError, Dataset, NotThisWorkloads

OWN_DATA = ("auto", "synthetic")  # every workload has these: its own default and its synthetic set
PART = re.compile(r"^([a-z][a-z0-9_]*)=(.+)$")


@dataclass(frozen=True)
class DataChoice:
    """The parsed --mp-data: the source of every workload not named, and the named ones' own."""

    default: str = "auto"
    named: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"{name}={spec}" for name, spec in self.named.items()]
        return ",".join(([self.default] if self.default != "auto" or not parts else []) + parts)


def parse_data_choice(text: str) -> DataChoice:
    """`SOURCE`, `name=SOURCE,...` or both (one bare part at most); ValueError in one line. A path that exists is
    one source whatever it holds (a comma, an `=`)."""
    text = str(text).strip() or "auto"
    if Path(text).expanduser().exists():
        return DataChoice(text)
    default, named = None, {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            raise ValueError(f"{text!r} has an empty part")
        if m := PART.match(part):
            name, spec = m.groups()
            if name in named:
                raise ValueError(f"{text!r} names workload {name} twice")
            named[name] = spec
        elif default is not None:
            raise ValueError(f"{text!r} gives two sources for every workload ({default!r}, {part!r}); "
                             "name each as workload=SOURCE")
        else:
            default = part
    return DataChoice(default or "auto", named)


def check_names(choice: DataChoice, workloads: tuple[str, ...]) -> None:
    """ValueError where a `name=` part names no workload the session knows (with `auto`, every built-in)."""
    for name in choice.named:
        if name not in workloads:
            raise ValueError(f"{name}={choice.named[name]}: no workload named {name} in this session "
                             f"({', '.join(workloads)})")


@dataclass(frozen=True)
class Loaded:
    data: Dataset
    took: bool  # whether the workload reads the source --mp-data gave it (False: it kept its own data)
    refused: str = ""  # why it did not, where it did not


def load_for(choice: DataChoice, workload, size, offline: bool) -> Loaded:
    """`workload`'s data at `size` as `choice` gives it; DataError where a source it was given cannot be used (a
    named one it does not read included)."""
    spec = choice.named.get(workload.name, choice.default)
    try:
        return Loaded(workload.data_for(size, spec, offline), True)
    except NotThisWorkloads as exc:
        if workload.name in choice.named:
            raise DataError(f"{workload.name}={exc}") from None
        own = workload.data_for(size, "auto", offline)
        why = f"its own data, not {spec}: it {exc.why}"
        return Loaded(dataclasses.replace(own, note=f"{own.note}; {why}" if own.note else why), False,
                      f"workload {exc.workload} {exc.why}")


def load_all(choice: DataChoice, contexts: dict, offline: bool) -> dict[str, Dataset]:
    """Each running workload's data (`contexts`: name -> (workload, size)); DataError where a source cannot be used,
    or where the shared source is read by none of the workloads it was meant for."""
    loaded = {name: load_for(choice, workload, size, offline) for name, (workload, size) in contexts.items()}
    sharing = [name for name in loaded if name not in choice.named]
    if choice.default not in OWN_DATA and sharing and not any(loaded[n].took for n in sharing):
        raise DataError(f"{choice.default}: no workload of this session reads it: "
                        + "; ".join(loaded[n].refused for n in sharing))
    return {name: result.data for name, result in loaded.items()}
