"""The suite's settings: every `--mp-*` option read once, command line over ini file over default.

A bad value raises pytest.UsageError naming the option, the value and where it came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from mpmodel.core.matmul_precision import parse_fp32_list
from mpmodel.core.parsing import parse_fraction
from mpmodel.core.policies import parse_jit_list, parse_policy_list
from mpmodel.core.profiles import get_profile
from mpmodel.core.workload import Workload, WorkloadError
from mpmodel.core.workloads import AUTO, BUILT_IN, parse_workload_list
from mpmodel.core.workloads import resolve as resolve_workload
from mpmodel.core.workloads.mlp import SeedMLP
from mpmodel.measure.expectations import parse_min_speedup
from mpmodel.measure.sequential import DESIGNS
from mpmodel.plugin.data_choice import check_names, parse_data_choice
from mpmodel.plugin.options import MIN_ACCURACY_SEEDS, OFFLINE_ENV, OPTIONS, Option
from mpmodel.store import HISTORY_ENV
from mpmodel.store.runs import HistoryError
from mpmodel.store.source import is_url, open_source


@dataclass(frozen=True)
class Settings:
    profile: str  # a profile name or "auto"
    policies: tuple[str, ...]
    jit: tuple[str, ...]
    fp32: tuple[str, ...]  # ("auto",) until the device is known
    min_speedup: dict[str, float | None]
    accuracy_tol: float | None  # None: each workload's own
    data: str
    require_gpu: bool
    offline: bool = False
    slow_policies: bool = False  # time and fit a mixed policy whose matmuls crawl here (cost.crawls)
    memory: bool = True  # run test_memory
    history: str = ""  # the history store's URL; empty: none
    summary: str = ""  # --mp-summary: a file the end-of-run summary is appended to, as Markdown; empty: none
    accuracy_seeds: int | None = None  # None: the profile's
    seed_recipe_seeds: int | None = None  # None: the profile's
    design: str = "sequential"  # --mp-design: the speedup and accuracy gates' looks (measure.sequential)
    budget: float | None = None  # --mp-budget: minutes the run is planned to end within (mpmodel.plugin.budget)
    workloads: tuple[Workload, ...] = (SeedMLP(),)  # --mp-workload, each resolved and checked
    workloads_auto: bool = False  # --mp-workload auto: the built-ins other than the MLP run only where a GPU is visible


def _raw(config, opt: Option) -> tuple[object, str]:
    value = config.getoption(opt.dest)
    if value is not None:
        return value, "command line"
    value = config.getini(opt.ini)
    if value not in (None, "") and value != opt.default:
        return value, "ini file"
    return opt.default, "default"


def parse_flag(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


def parse_on_off(value) -> bool:
    text = str(value).strip().lower()
    if text not in ("on", "off"):
        raise ValueError(f"{value!r} is not on or off")
    return text == "on"


def parse_history(text) -> str:
    """A history store's URL (a database, or `file://` for a folder), checked now (its form and its driver, no
    connection), so that a typo stops the session at its start rather than after the run; '' for none."""
    url = str(text).strip()
    if url and not is_url(url):  # a bare name is more likely a database file than a folder meant for copies
        raise ValueError(f"{url!r} is not a database URL (e.g. sqlite:///history.db, postgresql+psycopg://user@host/db)")
    if url:
        try:
            open_source(url)
        except HistoryError as exc:
            raise ValueError(str(exc)) from None
    return url


def offline_from_env() -> bool:
    """MPMODEL_OFFLINE set to 1/true/yes; ValueError for any other non-empty value."""
    raw = os.environ.get(OFFLINE_ENV, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ValueError(f"{raw!r} is not 1/true/yes or 0/false/no")


def parse_seed_count(least: int):
    """A parser for a seed count of at least `least`, or `profile` (None: the profile's count)."""
    def parse(value) -> int | None:
        text = str(value).strip().lower()
        if text == "profile":
            return None
        try:
            count = int(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number or 'profile'") from None
        if count < least:
            raise ValueError(f"{count} seeds: at least {least} needed")
        return count
    return parse


def parse_design(value) -> str:
    text = str(value).strip().lower()
    if text not in DESIGNS:
        raise ValueError(f"{value!r} is not a design: {' or '.join(DESIGNS)}")
    return text


def parse_budget(value) -> float | None:
    """Minutes, a positive number; '' for no budget."""
    text = str(value).strip()
    if not text:
        return None
    try:
        minutes = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number of minutes") from None
    if not minutes > 0 or minutes == float("inf"):
        raise ValueError(f"{value!r} minutes: a budget must be a positive, finite number of minutes")
    return minutes


def parse_profile(text: str) -> str:
    return text if text == "auto" else get_profile(text).name


def resolve(config) -> Settings:
    """Read every option once; pytest.UsageError naming the first bad one."""
    parsers = {
        "mp_workload": parse_workload_list,
        "mp_profile": parse_profile,
        "mp_policies": parse_policy_list,
        "mp_jit": parse_jit_list,
        "mp_fp32": parse_fp32_list,
        "mp_min_speedup": lambda t: parse_min_speedup(t) if str(t).strip() else {},
        "mp_accuracy_tol": lambda t: None if str(t).strip() == "workload" else parse_fraction(t),
        "mp_accuracy_seeds": parse_seed_count(MIN_ACCURACY_SEEDS),
        "mp_seed_recipe_seeds": parse_seed_count(0),
        "mp_data": lambda t: str(parse_data_choice(t)),
        "mp_design": parse_design,
        "mp_budget": parse_budget,
        "mp_require_gpu": parse_flag,
        "mp_offline": parse_flag,
        "mp_slow_policies": parse_flag,
        "mp_memory": parse_on_off,
        "mp_history": parse_history,
        "mp_summary": lambda t: str(t).strip(),
    }
    values = {}
    for opt in OPTIONS:
        raw, where = _raw(config, opt)
        try:
            values[opt.ini] = parsers[opt.ini](raw)
        except ValueError as exc:
            raise pytest.UsageError(f"{opt.flag}: {exc} (from {where})") from None
    try:
        env_offline = offline_from_env()
    except ValueError as exc:
        raise pytest.UsageError(f"{OFFLINE_ENV}: {exc} (from the environment)") from None
    try:
        env_history = parse_history(os.environ.get(HISTORY_ENV, ""))
    except ValueError as exc:
        raise pytest.UsageError(f"{HISTORY_ENV}: {exc} (from the environment)") from None
    workloads = resolve_workloads(BUILT_IN if values["mp_workload"] == (AUTO,) else values["mp_workload"])
    try:
        check_names(parse_data_choice(values["mp_data"]), tuple(w.name for w in workloads))
    except ValueError as exc:
        raise pytest.UsageError(f"--mp-data: {exc}") from None
    return Settings(
        workloads=workloads,
        workloads_auto=values["mp_workload"] == (AUTO,),
        profile=values["mp_profile"], policies=values["mp_policies"], jit=values["mp_jit"], fp32=values["mp_fp32"],
        min_speedup=values["mp_min_speedup"],
        accuracy_tol=values["mp_accuracy_tol"], data=values["mp_data"], require_gpu=values["mp_require_gpu"],
        offline=values["mp_offline"] or env_offline, slow_policies=values["mp_slow_policies"],
        memory=values["mp_memory"], history=values["mp_history"] or env_history, summary=values["mp_summary"],
        accuracy_seeds=values["mp_accuracy_seeds"], seed_recipe_seeds=values["mp_seed_recipe_seeds"],
        design=values["mp_design"], budget=values["mp_budget"],
    )


def resolve_workloads(specs: tuple[str, ...]) -> tuple[Workload, ...]:
    """Each named workload, imported and checked; pytest.UsageError with the first one's problem."""
    found: dict[str, Workload] = {}
    for spec in specs:
        try:
            workload = resolve_workload(spec)
        except WorkloadError as exc:
            raise pytest.UsageError(str(exc)) from None
        if workload.name in found:
            raise pytest.UsageError(f"--mp-workload {spec}: a second workload named {workload.name}; names must differ")
        found[workload.name] = workload
    return tuple(found.values())
