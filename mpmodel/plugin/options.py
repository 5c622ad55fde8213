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

    @property
    def dest(self) -> str:
        return self.ini


OPTIONS = (
    Option("--mp-workload", "mp_workload", "LIST", AUTO,
           f"comma-separated workloads: built-in {', '.join(BUILT_IN)}, a name an installed package registers "
           f"({ENTRY_POINT_GROUP} entry points), package.module:factory for your own, or all; auto: every built-in "
           f"where a GPU is visible, {DEFAULT} alone on a CPU"),
    Option("--mp-profile", "mp_profile", "NAME", "auto",
           f"model and batch sizes: {', '.join(SIZE_NAMES)}, or auto (seed when a GPU is visible, else small)"),
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
           "auto (Keras cache, download, then synthetic), mnist (real MNIST or fail), synthetic, "
           "or a path to mnist.npz or a folder of MNIST IDX files"),
    Option("--mp-require-gpu", "mp_require_gpu", None, "false",
           "fail the session at start when no GPU is visible"),
    Option("--mp-slow-policies", "mp_slow_policies", None, "false",
           "time and fit a mixed policy whose matmuls here reach under a tenth of float32's (PyTorch bf16 on a "
           "CPU without AVX-512); by default its accuracy fits and step timing are skipped and its speedup gate "
           "is decided on the kernels alone, each saying so with the measured figures and the time saved"),
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




def given(config) -> bool:
    """Whether the session sets any of the suite's options (command line or ini file): it then uses the suite."""
    for opt in OPTIONS:
        if config.getoption(opt.dest) is not None:
            return True
        value = config.getini(opt.ini)
        if value not in (None, "", False) and value != opt.default:
            return True
    return False
