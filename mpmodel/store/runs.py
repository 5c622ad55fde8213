"""A saved run as the history reads it: pytest-benchmark's JSON (a file, or a stored run's content) parsed into
`SavedRun` and its `Result`s, with its date and test names parsed here once for every source of runs
(`mpmodel.store.source`). A file named on the command line that cannot be read is an error naming it.
"""

from __future__ import annotations

import functools
import hashlib
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

RECORD_PREFIX = "mpmodel-"  # a storage folder's own records (not runs): mpmodel-<key>.json
CALIBRATION_FILE = f"{RECORD_PREFIX}calibration.json"
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
    branch: str | None = None  # the branch its commit was on (pytest-benchmark's commit_info), where one was known

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


def parse_time(text) -> datetime:
    """A run's 'datetime' (ISO 8601, 'Z' allowed); HistoryError where it is none."""
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise HistoryError(f"'datetime' is {text!r}, not an ISO date") from None


def test_of(name: str) -> str:
    """A benchmark's test, from its name: 'test_step_time[small-float32]' -> 'test_step_time'."""
    return name.split("[")[0]


def run_id(content: dict) -> str:
    """A run's one identity: the hash of its canonical JSON."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


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
        results[bench["name"]] = Result(bench["name"], test_of(bench["name"]), extra.get("policy"),
                                        extra.get("profile"), [float(x) for x in rounds], extra,
                                        float(median) if isinstance(median, (int, float)) else None)
    commit_info = content.get("commit_info") or {}
    commit = commit_info.get("id")
    if commit:
        commit = commit[:7] + ("+dirty" if commit_info.get("dirty") else "")
    return SavedRun(path, parse_time(content.get("datetime")), commit, content.get("machine_info") or {},
                    results, content.get("mpmodel") or {}, branch=known_branch(commit_info.get("branch")))


UNKNOWN_BRANCHES = ("(unknown)", "(detached head)", "HEAD", "")  # what pytest-benchmark writes where git names none


def known_branch(branch) -> str | None:
    """A recorded branch name, None where git named none (a detached head, no repository)."""
    return branch if isinstance(branch, str) and branch not in UNKNOWN_BRANCHES else None


def read_content(path) -> dict:
    """One saved run's JSON; HistoryError names the file and the problem in one line."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
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


def load_run(path) -> SavedRun:
    """Read one saved run; HistoryError names the file and the problem in one line."""
    path = Path(path)
    content = read_content(path)
    try:
        return parse_run(path, content)
    except HistoryError as exc:
        raise HistoryError(f"{path}: {exc}") from None
