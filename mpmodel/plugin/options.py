"""The suite's pytest options: declared once, each with an ini twin, resolved and validated.

Command line wins over the ini file, which wins over the default. A bad value raises
pytest.UsageError naming the option, the value and where it came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from mpmodel.core.matmul_precision import FP32_VARIANTS, parse_fp32_list
from mpmodel.core.parsing import parse_fraction
from mpmodel.core.policies import JIT_MODES, POLICIES, parse_jit_list, parse_policy_list
from mpmodel.core.profiles import PROFILES, get_profile
from mpmodel.measure.expectations import parse_min_speedup
from mpmodel.store.database import HISTORY_ENV, RunStore, StoreError

# The decay recipe's paired deltas spread little enough for a one-point tolerance at the profile's seed
# counts (README, "Accuracy": the A/A spreads per backend and recipe, the false-alarm and detection rates).
DEFAULT_ACCURACY_TOL = 0.01
MIN_ACCURACY_SEEDS = 2  # a confidence bound on the mean needs two paired deltas
OFFLINE_ENV = "MPMODEL_OFFLINE"


@dataclass(frozen=True)
class Option:
    flag: str
    ini: str
    metavar: str | None
    default: str
    help: str

    @property
    def dest(self) -> str:
        return self.ini


OPTIONS = (
    Option("--mp-profile", "mp_profile", "NAME", "auto",
           f"model and batch sizes: {', '.join(PROFILES)}, or auto (seed when a GPU is visible, else small)"),
    Option("--mp-policies", "mp_policies", "LIST", ",".join(POLICIES),
           "comma-separated precision policies to benchmark"),
    Option("--mp-jit", "mp_jit", "LIST", "auto",
           f"comma-separated compile modes ({', '.join(JIT_MODES)}): auto is Keras's choice (XLA on JAX, "
           "and on TensorFlow when a GPU is visible; eager PyTorch), on forces XLA / torch.compile, off runs without"),
    Option("--mp-fp32", "mp_fp32", "LIST", "auto",
           f"float32 baseline variants ({', '.join(FP32_VARIANTS)}): default is the framework's own TF32 setting, "
           "strict turns TF32 off; auto: both where the default runs TF32 (compute capability 8.0+; not PyTorch, "
           "whose default has it off), default elsewhere"),
    Option("--mp-min-speedup", "mp_min_speedup", "SPEC", "",
           "minimum speedup over float32 for every mixed policy (1.5) or per policy "
           "(mixed_bfloat16=1.5,mixed_float16=none); empty: the expectations table"),
    Option("--mp-accuracy-tol", "mp_accuracy_tol", "DELTA", str(DEFAULT_ACCURACY_TOL),
           "largest accepted drop of test accuracy below float32's, as a fraction: the gate passes when the "
           "95% lower confidence bound of the mean paired delta (mixed minus float32 per seed, decay recipe) "
           "lies above -DELTA"),
    Option("--mp-accuracy-seeds", "mp_accuracy_seeds", "N", "profile",
           "paired seeds the accuracy gate trains (float32 and each mixed policy, decay recipe), at least 2; "
           "profile: the profile's count (5 on seed, 3 on small)"),
    Option("--mp-seed-recipe-seeds", "mp_seed_recipe_seeds", "N", "profile",
           "paired seeds trained with the seed's own recipe, whose accuracy is reported beside the gate; 0 "
           "turns it off; profile: the profile's count (1, as the seed document ran it)"),
    Option("--mp-data", "mp_data", "SOURCE", "auto",
           "auto (Keras cache, download, then synthetic), mnist (real MNIST or fail), synthetic, "
           "or a path to mnist.npz or a folder of MNIST IDX files"),
    Option("--mp-require-gpu", "mp_require_gpu", None, "false",
           "fail the session at start when no GPU is visible"),
    Option("--mp-slow-policies", "mp_slow_policies", None, "false",
           "time and fit a mixed policy whose matmuls here reach under a tenth of float32's (PyTorch bf16 on a "
           "CPU without AVX-512); by default its accuracy fits and step timing are skipped and its speedup gate "
           "is decided on the matmuls alone, each saying so with the measured figures and the time saved"),
    Option("--mp-memory", "mp_memory", "on|off", "on",
           "measure each policy's step memory (test_memory, a fresh child process per policy); off for a "
           "timing-only run"),
    Option("--mp-history", "mp_history", "URL", "",
           "also save every run the suite saves into this history store: sqlite:///FILE or "
           f"postgresql+psycopg://USER@HOST/DB (also {HISTORY_ENV}); the JSON file stays the record"),
    Option("--mp-offline", "mp_offline", None, "false",
           f"never download MNIST (the suite's only network use); also {OFFLINE_ENV}=1. "
           "auto then takes Keras's cache or the synthetic set"),
)


@dataclass(frozen=True)
class Settings:
    profile: str  # a profile name or "auto"
    policies: tuple[str, ...]
    jit: tuple[str, ...]
    fp32: tuple[str, ...]  # ("auto",) until the device is known
    min_speedup: dict[str, float | None]
    accuracy_tol: float
    data: str
    require_gpu: bool
    offline: bool = False
    slow_policies: bool = False  # time and fit a mixed policy whose matmuls crawl here (cost.crawls)
    memory: bool = True  # run test_memory
    history: str = ""  # the history store's URL; empty: none
    accuracy_seeds: int | None = None  # None: the profile's
    seed_recipe_seeds: int | None = None  # None: the profile's


def add_options(parser) -> None:
    group = parser.getgroup("mpmodel", "mixed-precision benchmarks (mpmodel)")
    for opt in OPTIONS:
        help_text = f"{opt.help} (default: {opt.default or 'table'}; ini: {opt.ini})".replace("%", "%%")  # argparse formats help
        if opt.metavar is None:
            group.addoption(opt.flag, action="store_true", default=None, dest=opt.dest, help=help_text)
            parser.addini(opt.ini, opt.help, type="bool", default=False)
        else:
            group.addoption(opt.flag, action="store", default=None, dest=opt.dest, metavar=opt.metavar, help=help_text)
            parser.addini(opt.ini, opt.help, default=opt.default)


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
    """A history store URL, checked now (its form and its driver, no connection), so that a typo stops the
    session at its start rather than after the run; '' for none."""
    url = str(text).strip()
    if url:
        try:
            RunStore(url).engine.dispose()
        except StoreError as exc:
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


def parse_profile(text: str) -> str:
    return text if text == "auto" else get_profile(text).name


def resolve(config) -> Settings:
    """Read every option once; pytest.UsageError naming the first bad one."""
    parsers = {
        "mp_profile": parse_profile,
        "mp_policies": parse_policy_list,
        "mp_jit": parse_jit_list,
        "mp_fp32": parse_fp32_list,
        "mp_min_speedup": lambda t: parse_min_speedup(t) if str(t).strip() else {},
        "mp_accuracy_tol": parse_fraction,
        "mp_accuracy_seeds": parse_seed_count(MIN_ACCURACY_SEEDS),
        "mp_seed_recipe_seeds": parse_seed_count(0),
        "mp_data": lambda t: str(t).strip() or "auto",
        "mp_require_gpu": parse_flag,
        "mp_offline": parse_flag,
        "mp_slow_policies": parse_flag,
        "mp_memory": parse_on_off,
        "mp_history": parse_history,
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
    return Settings(
        profile=values["mp_profile"], policies=values["mp_policies"], jit=values["mp_jit"], fp32=values["mp_fp32"],
        min_speedup=values["mp_min_speedup"],
        accuracy_tol=values["mp_accuracy_tol"], data=values["mp_data"], require_gpu=values["mp_require_gpu"],
        offline=values["mp_offline"] or env_offline, slow_policies=values["mp_slow_policies"],
        memory=values["mp_memory"], history=values["mp_history"] or env_history,
        accuracy_seeds=values["mp_accuracy_seeds"], seed_recipe_seeds=values["mp_seed_recipe_seeds"],
    )
