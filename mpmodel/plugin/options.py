"""The suite's pytest options: declared once, each with an ini twin (resolved in `settings`).

Light on purpose: the plugin's entry module imports it in every pytest session, so it imports nothing
beyond the core's names (no SQLAlchemy, SciPy or framework).
"""

from __future__ import annotations

from dataclasses import dataclass

from mpmodel.core.matmul_precision import FP32_VARIANTS
from mpmodel.core.policies import JIT_MODES, POLICIES
from mpmodel.core.workload import SIZE_NAMES
from mpmodel.core.workloads import AUTO, BUILT_IN, DEFAULT, ENTRY_POINT_GROUP
from mpmodel.measure.sequential import DESIGNS
from mpmodel.store import HISTORY_ENV

MIN_ACCURACY_SEEDS = 2  # a confidence bound on the mean needs two paired deltas
OFFLINE_ENV = "MPMODEL_OFFLINE"


@dataclass(frozen=True)
class Option:
    flag: str
    ini: str
    metavar: str | None
    default: str
    help: str
    shown_default: str = ""  # how the manual and --help name an empty default

    @property
    def dest(self) -> str:
        return self.ini


OPTIONS = (
    Option("--mp-workload", "mp_workload", "LIST", AUTO,
           f"comma-separated workloads: built-in {', '.join(BUILT_IN)}, a name an installed package registers "
           f"({ENTRY_POINT_GROUP} entry points), package.module:factory for your own, or all; auto: every built-in "
           f"where a GPU is visible, {DEFAULT} alone on a CPU"),
    Option("--mp-profile", "mp_profile", "NAME", "auto",
           f"each workload's size: {', '.join(SIZE_NAMES)} (seed: for a GPU, the MLP exactly as the seed document "
           "ran it, 4096 units and batch 8192; small: for a 2-core CPU, the MLP at 1024 units and batch 2048; tiny: a "
           "check of the timing harness, where no speedup is expected), or auto (seed when a GPU is visible, else small)"),
    Option("--mp-policies", "mp_policies", "LIST", ",".join(POLICIES),
           f"comma-separated precision policies to benchmark: {', '.join(POLICIES)}"),
    Option("--mp-jit", "mp_jit", "LIST", "auto",
           f"comma-separated compile modes ({', '.join(JIT_MODES)}): auto is Keras's choice (XLA on JAX, "
           "and on TensorFlow when a GPU is visible; eager PyTorch), on forces XLA / torch.compile, off runs without"),
    Option("--mp-fp32", "mp_fp32", "LIST", "auto",
           f"float32 baseline variants ({', '.join(FP32_VARIANTS)}): default is the framework's own TF32 setting, "
           "strict turns TF32 off; auto: both where the default runs TF32 (compute capability 8.0+; not PyTorch, "
           "whose default has it off), default elsewhere"),
    Option("--mp-min-speedup", "mp_min_speedup", "SPEC", "",
           "minimum speedup over float32 for every mixed policy (1.5) or per policy "
           "(mixed_bfloat16=1.5,mixed_float16=none); empty: the expectations table", shown_default="the table"),
    Option("--mp-accuracy-tol", "mp_accuracy_tol", "DELTA", "workload",
           "largest accepted drop of test accuracy below float32's, as a fraction: the gate passes when the "
           "95% lower confidence bound of the mean paired delta (mixed minus float32 per seed, decay recipe) "
           "lies above -DELTA; workload: each workload's own, chosen from its measured A/A spread (mlp 0.01)"),
    Option("--mp-accuracy-seeds", "mp_accuracy_seeds", "N", "profile",
           "paired seeds the accuracy gate trains (float32 and each mixed policy, decay recipe), at least 2; "
           "profile: the profile's count (5 on seed, 3 on small)"),
    Option("--mp-seed-recipe-seeds", "mp_seed_recipe_seeds", "N", "profile",
           "paired seeds trained with the seed's own recipe, whose accuracy is reported beside the gate; 0 "
           "turns it off; profile: the profile's count (1, as the seed document ran it)"),
    Option("--mp-data", "mp_data", "SOURCE", "auto",
           "auto (Keras's cache, its download, then synthetic), mnist (real MNIST or fail), synthetic, synthetic-hard "
           "(errors near class boundaries, so runs differ as on a real set), or a path to mnist.npz or a folder of "
           "MNIST IDX files; for conv also cifar10 (Keras's cache) or a folder of CIFAR-10 batches; transformer: auto "
           "or synthetic only. One source goes to every workload that reads it (the others keep their own data, "
           "and the header says so); workload=SOURCE parts give a workload its own: mlp=PATH,conv=cifar10"),
    Option("--mp-design", "mp_design", "NAME", DESIGNS[0],
           "how the speedup and accuracy gates spend their measurements: sequential looks at the interval up to 3 "
           "times (after the first pairs or seeds, up to the profile's count) and stops once the verdict is known, "
           "with the false-pass rate still at the gate's level; fixed measures the full count and looks once"),
    Option("--mp-budget", "mp_budget", "MINUTES", "",
           "plan the run to end within MINUTES: once the step probes have run, the cost model predicts the run's most "
           "(every gate to its last look) and cuts, in this order, until it fits: the speedup gate's pairs to its first "
           "look, the accuracy seeds to 2 and the seed recipe's fits, the float32 strict variant, the last workloads; "
           "one line says what it cut, and a budget even the least run exceeds stops the session before it measures",
           shown_default="none"),
    Option("--mp-require-gpu", "mp_require_gpu", None, "false",
           "fail the session at start, listing the devices found, when no GPU is visible"),
    Option("--mp-slow-policies", "mp_slow_policies", None, "false",
           "time and fit a mixed policy whose probed step takes more than 10x float32's here (crawling); by "
           "default its step time, memory and fits are skipped and its speedup gate is decided on the probe's "
           "measured steps, each saying so with the measured figures and the time saved"),
    Option("--mp-memory", "mp_memory", "on|off", "on",
           "measure each policy's step memory (test_memory, a fresh child process per policy); off for a "
           "timing-only run"),
    Option("--mp-history", "mp_history", "URL", "",
           "also save every run the suite saves into this history store: sqlite:///FILE or "
           f"postgresql+psycopg://USER@HOST/DB (also {HISTORY_ENV}); the JSON file stays the record", shown_default="none"),
    Option("--mp-summary", "mp_summary", "FILE", "",
           "also append the end-of-run summary (a row per mixed policy, its footnotes, every gate's full message) as "
           "Markdown to FILE, for a CI system other than GitHub Actions (which gets it in $GITHUB_STEP_SUMMARY)",
           shown_default="none"),
    Option("--mp-offline", "mp_offline", None, "false",
           f"never download MNIST (the suite's only network use); also {OFFLINE_ENV}=1. "
           "auto then takes Keras's cache or the synthetic set"),
)


def default_text(opt: Option) -> str:
    """The default as a reader sees it: `off` for a flag, an empty one by its `shown_default`."""
    if opt.metavar is None:
        return "off"
    return opt.default or opt.shown_default


def markdown_table() -> str:
    """The options as the manual's Markdown table, from the definitions above (docs/usage.md holds it)."""
    rows = ["| option | ini | default | meaning |", "|---|---|---|---|"]
    for opt in OPTIONS:
        flag = opt.flag if opt.metavar is None else f"{opt.flag} {opt.metavar}"
        meaning = opt.help.replace("|", "\\|")
        rows.append(f"| `{flag.replace('|', chr(92) + '|')}` | `{opt.ini}` | `{default_text(opt)}` | {meaning} |")
    return "\n".join(rows) + "\n"


def add_options(parser) -> None:
    group = parser.getgroup("mpmodel", "mixed-precision benchmarks (mpmodel)")
    for opt in OPTIONS:
        help_text = f"{opt.help} (default: {default_text(opt)}; ini: {opt.ini})".replace("%", "%%")  # argparse formats help
        if opt.metavar is None:
            group.addoption(opt.flag, action="store_true", default=None, dest=opt.dest, help=help_text)
            parser.addini(opt.ini, opt.help, type="bool", default=False)
        else:
            group.addoption(opt.flag, action="store", default=None, dest=opt.dest, metavar=opt.metavar, help=help_text)
            parser.addini(opt.ini, opt.help, default=opt.default)


def given(config) -> bool:
    """Whether the session sets any of the suite's options (command line or ini file): it then uses the suite."""
    for opt in OPTIONS:
        if config.getoption(opt.dest) is not None:
            return True
        value = config.getini(opt.ini)
        if value not in (None, "", False) and value != opt.default:
            return True
    return False
