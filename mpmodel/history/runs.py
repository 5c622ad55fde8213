"""Saved runs: pytest-benchmark's JSON files read into what `report` and `compare` need.

A run is one file in the storage folder (default `.benchmarks`, one subfolder per
pytest-benchmark machine id). Files that cannot be read are named and skipped, never fatal
for a whole history; a file named on the command line that cannot be read is an error.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mpmodel.core.matmul_precision import FP32_VARIANTS
from mpmodel.core.parsing import choice_rank
from mpmodel.core.policies import JIT_MODES, POLICIES
from mpmodel.measure.context import describe
from mpmodel.measure.results import (  # noqa: F401 (the names history modules import from here)
    ACCURACY,
    DEFAULT_WORKLOAD,
    MEMORY,
    MEMORY_KIND,
    SPEEDUP,
    SPEEDUP_KIND,
    STEP_KIND,
    STEP_TIME,
    ResultFacts,
    ResultRecord,
)
from mpmodel.store.database import RunStore, StoreError

CALIBRATION_FILE = "mpmodel-calibration.json"
AXES = ("workload", "jit", "fp32")  # the test-id axes besides the policy, as each result's extra_info records them


class Variant(NamedTuple):
    """What a result measured besides its test: the policy, the compile mode, the float32 variant and the
    workload (results saved before workloads existed are the seed's MLP's)."""

    policy: str
    jit: str = "auto"
    fp32: str = "default"
    workload: str = DEFAULT_WORKLOAD

    def sort_key(self) -> tuple:
        return (self.workload != DEFAULT_WORKLOAD, self.workload, choice_rank(POLICIES, self.policy),
                choice_rank(JIT_MODES, self.jit), choice_rank(FP32_VARIANTS, self.fp32))

    def label(self, axes: tuple[str, ...] = ()) -> str:
        """The policy, with the named axes where they were recorded: 'conv: mixed_bfloat16 jit_on fp32_strict'; a
        workload other than the seed's MLP is always named."""
        text = " ".join([self.policy] + [f"{a}_{getattr(self, a)}" for a in axes if a != "workload"])
        return f"{self.workload}: {text}" if "workload" in axes or self.workload != DEFAULT_WORKLOAD else text



def varied_axes(runs) -> tuple[str, ...]:
    """The axes that take more than one value among the runs' results: the ones a row label must name."""
    variants = {v for run in runs for v in run.variants}
    return tuple(a for a in AXES if len({getattr(v, a) for v in variants}) > 1)


class HistoryError(Exception):
    """A saved run or storage folder that cannot be used; the message is one line naming it."""


@dataclass
class Result:
    """One benchmark of one run."""

    name: str  # pytest-benchmark's name, e.g. "test_step_time[small-float32]"
    test: str  # "test_step_time"
    policy: str | None
    profile: str | None
    rounds: list[float]  # per-round times in seconds (saved with --benchmark-save-data); empty in a store summary
    extra: dict
    stats_median: float | None = None  # pytest-benchmark's own median, for a summary without rounds

    @property
    def median(self) -> float | None:
        return float(np.median(self.rounds)) if self.rounds else self.stats_median

    @functools.cached_property
    def record(self) -> ResultRecord:
        """The result's saved figures, through typed accessors (mpmodel.measure.results)."""
        return ResultRecord(self.extra)

    @property
    def variant(self) -> Variant | None:
        r = self.record  # runs saved before the axes existed ran Keras's jit "auto", the framework's float32, the MLP
        return Variant(self.policy, r.jit, r.fp32, r.facts.label) if self.policy else None

    @property
    def series_name(self) -> str:
        """The benchmark's name, with the workload's version past 1: a new version starts new series."""
        version = self.facts.workload_version
        return self.name if version == 1 else f"{self.name} ({self.facts.workload} v{version})"

    @property
    def facts(self) -> ResultFacts:
        """Schema, workload and its version (results saved before they existed: schema 1, the MLP, version 1)."""
        return self.record.facts


@dataclass
class SavedRun:
    path: Path
    when: datetime
    commit: str | None
    machine_info: dict
    results: dict[str, Result]
    mpmodel: dict = field(default_factory=dict)  # the plugin's top-level section (state, verdicts)
    store_id: str | None = None  # the run's id in a history store, where it was read from one

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def number(self) -> str:
        return self.path.stem.split("_")[0]

    @functools.cached_property
    def facts(self) -> dict[str, str]:
        return describe(self.machine_info)

    def find(self, test: str, variant: Variant | str) -> Result | None:
        """The run's result of `test` for a variant, or under a policy name (its first variant)."""
        for result in self.results.values():
            if result.test == test and (result.variant == variant if isinstance(variant, Variant)
                                        else result.policy == variant):
                return result
        return None

    @functools.cached_property
    def variants(self) -> list[Variant]:
        """Every policy x compile mode x float32 variant the run measured, in table order."""
        return sorted({r.variant for r in self.results.values() if r.variant}, key=Variant.sort_key)

    def levels(self) -> dict[tuple[str, str], float]:
        """One number per series: ("step time", name) -> median seconds, ("speedup", name) -> speedup,
        ("peak memory", name) -> median bytes held while training (resting plus step peak)."""
        out = {}
        for result in self.results.values():
            name = result.series_name
            if result.test == STEP_TIME and result.median:
                out[(STEP_KIND, name)] = result.median
            elif result.test == SPEEDUP and result.record.speedup is not None:
                out[(SPEEDUP_KIND, name)] = result.record.speedup
            elif result.test == MEMORY and result.record.footprint_bytes is not None:
                out[(MEMORY_KIND, name)] = result.record.footprint_bytes
        return out

    @property
    def policies(self) -> list[str]:
        return sorted({r.policy for r in self.results.values() if r.policy})


def _parse_time(text) -> datetime:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise HistoryError(f"'datetime' is {text!r}, not an ISO date") from None


def parse_run(path: Path, content) -> SavedRun:
    """A SavedRun from a decoded pytest-benchmark file; HistoryError says what is missing."""
    if not isinstance(content, dict) or not isinstance(content.get("benchmarks"), list):
        raise HistoryError("not a pytest-benchmark run (no 'benchmarks' list)")
    results = {}
    for i, bench in enumerate(content["benchmarks"]):
        if not isinstance(bench, dict) or "name" not in bench or not isinstance(bench.get("stats"), dict):
            raise HistoryError(f"benchmark #{i} has no name or stats")
        extra = bench.get("extra_info") or {}
        rounds = bench["stats"].get("data") or []
        if not all(isinstance(x, (int, float)) for x in rounds):
            raise HistoryError(f"{bench['name']}: per-round data holds non-numbers")
        median = bench["stats"].get("median")
        results[bench["name"]] = Result(bench["name"], bench["name"].split("[")[0], extra.get("policy"),
                                        extra.get("profile"), [float(x) for x in rounds], extra,
                                        float(median) if isinstance(median, (int, float)) else None)
    commit_info = content.get("commit_info") or {}
    commit = commit_info.get("id")
    if commit:
        commit = commit[:7] + ("+dirty" if commit_info.get("dirty") else "")
    return SavedRun(path, _parse_time(content.get("datetime")), commit, content.get("machine_info") or {},
                    results, content.get("mpmodel") or {})


def load_run(path) -> SavedRun:
    """Read one saved run; HistoryError names the file and the problem in one line."""
    path = Path(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HistoryError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise HistoryError(f"{path}: is a folder, expected a saved run (.json)") from None
    except UnicodeDecodeError:
        raise HistoryError(f"{path}: not a text file") from None
    except json.JSONDecodeError as exc:
        raise HistoryError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); truncated or not a saved run?") from None
    except OSError as exc:
        raise HistoryError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return parse_run(path, content)
    except HistoryError as exc:
        raise HistoryError(f"{path}: {exc}") from None


def run_files(storage) -> list[Path]:
    """Every saved-run candidate under a storage folder."""
    root = Path(storage)
    if not root.is_dir():
        raise HistoryError(f"{root}: no such storage folder (run `pytest benchmarks/ --benchmark-autosave` first, "
                           "or pass --storage)")
    return sorted(p for p in root.rglob("*.json") if p.name != CALIBRATION_FILE)


def load_history(storage) -> tuple[list[SavedRun], list[tuple[Path, str]]]:
    """All readable runs in time order, and (file, reason) for each file skipped."""
    runs, skipped = [], []
    for path in run_files(storage):
        try:
            runs.append(load_run(path))
        except HistoryError as exc:
            skipped.append((path, str(exc).removeprefix(f"{path}: ")))
    runs.sort(key=lambda r: (r.when.timestamp(), str(r.path)))
    return runs, skipped


@functools.lru_cache(maxsize=4)
def open_store(url: str) -> RunStore:
    """The store at `url`, opened once per process (one engine, one connection pool); HistoryError if the URL
    cannot be used."""
    try:
        return RunStore(url)
    except StoreError as exc:
        raise HistoryError(str(exc)) from None


def load_store_history(url: str) -> tuple[list[SavedRun], list[tuple[Path, str]]]:
    """All runs in the history store at `url` as summaries (no per-round data: `full_run` reads one whole), in
    time order, and (run, reason) for each that cannot be read. A stored run's path is its name (the file
    name it was saved under), so numbers and names still refer to it."""
    try:
        stored = open_store(url).runs(full=False)
    except StoreError as exc:
        raise HistoryError(str(exc)) from None
    runs, skipped = [], []
    for rid, name, content in stored:
        try:
            runs.append(dataclasses.replace(parse_run(Path(name), content), store_id=rid))
        except HistoryError as exc:
            skipped.append((Path(f"{name} (stored run {rid[:12]})"), str(exc)))
    runs.sort(key=lambda r: (r.when.timestamp(), str(r.path)))
    return runs, skipped


def full_run(run: SavedRun, history: str | None) -> SavedRun:
    """The run whole: from the store where it is a summary read from one, else as it is."""
    if not history or run.store_id is None:
        return run
    try:
        content = open_store(history).run(run.store_id)
    except StoreError as exc:
        raise HistoryError(str(exc)) from None
    return dataclasses.replace(parse_run(run.path, content), store_id=run.store_id)


def load_from(storage, history: str | None = None, need_one: bool = False):
    """The runs of the history store where a URL is given, else of the storage folder; with `need_one`,
    HistoryError where there is no readable run."""
    runs, skipped = load_store_history(history) if history else load_history(storage)
    if need_one and not runs:
        where = history_shown(history) if history else storage
        raise HistoryError(f"{where}: no readable saved runs" + (f" ({len(skipped)} skipped)" if skipped else ""))
    return runs, skipped


def resolve(spec: str, storage, history: str | None = None) -> SavedRun:
    """A run named by file path, by number or name in the storage or store ("0003"), or as "latest" / "previous"."""
    if Path(spec).is_file() or spec.endswith(".json"):
        return load_run(spec)
    if history:
        return resolve_stored(spec, history)
    runs, skipped = load_history(storage)
    if spec in ("latest", "previous"):
        need = 1 if spec == "latest" else 2
        if len(runs) < need:
            raise HistoryError(f"{spec}: {storage} holds {len(runs)} readable saved run(s), {spec} needs {need}; "
                               "save a baseline first (pytest benchmarks/ --benchmark-autosave)")
        return runs[-need]
    matches = [r for r in runs if r.number == spec or r.name == spec]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        for path, why in skipped:  # the run is there but cannot be read: say so, not "no such run"
            if path.stem.split("_")[0] == spec or path.stem == spec:
                raise HistoryError(f"{spec}: {path} cannot be used: {why}")
        raise HistoryError(f"{spec}: no such file, and no saved run numbered {spec!r} in {storage}")
    raise HistoryError(f"{spec}: ambiguous in {storage}: " + ", ".join(str(r.path) for r in matches))


def resolve_stored(spec: str, url: str) -> SavedRun:
    """A run of the history store named by its number or name, "latest", "previous", or an id prefix (8 or
    more hex digits); only that run is read."""
    store = open_store(url)
    try:
        index = store.index()
    except StoreError as exc:
        raise HistoryError(str(exc)) from None
    if spec in ("latest", "previous"):
        need = 1 if spec == "latest" else 2
        if len(index) < need:
            raise HistoryError(f"{spec}: {store.shown} holds {len(index)} stored run(s), {spec} needs {need}")
        matches = [index[-need]]
    else:
        matches = [(rid, name) for rid, name in index if name.split("_")[0] == spec or name == spec
                   or (len(spec) >= 8 and rid.startswith(spec))]
    if not matches:
        raise HistoryError(f"{spec}: no stored run numbered or named {spec!r} in {store.shown}")
    if len(matches) > 1:
        raise HistoryError(f"{spec}: ambiguous in {store.shown}: " + ", ".join(f"{n} ({rid[:12]})" for rid, n in matches[:5])
                           + ("" if len(matches) <= 5 else f" and {len(matches) - 5} more"))
    rid, name = matches[0]
    try:
        return dataclasses.replace(parse_run(Path(name), store.run(rid)), store_id=rid)
    except StoreError as exc:
        raise HistoryError(str(exc)) from None
    except HistoryError as exc:
        raise HistoryError(f"{name} (stored run {rid[:12]}): {exc}") from None


def history_shown(url: str) -> str:
    """The store's URL as it may be printed: its password hidden."""
    try:
        return RunStore(url).shown
    except StoreError:
        return "the history store"
