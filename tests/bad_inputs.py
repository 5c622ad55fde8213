"""Bad inputs, each run for real: the suite (`pytest benchmarks/ --benchmark-autosave`) or the history
CLI, given one broken file, option or environment value. Each must end with one line naming the
input and what is wrong, a non-zero exit, no traceback, and nothing saved to the history.

`CASES` is what tests/test_bad_inputs.py runs. Run as a script to print the table; `python docs/tables.py
bad-inputs` writes it into docs/reliability.md, and tests/test_docs.py holds that table to these cases:

    python tests/bad_inputs.py
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SUITE = Path(__file__).resolve().parents[1] / "benchmarks"
EXAMPLE_WORKLOAD = Path(__file__).resolve().parent / "fixtures" / "workloads" / "my_workload.py"  # the README's
FIXTURE_RUNS = Path(__file__).resolve().parent / "fixtures" / "runs"  # three real saved runs
# A workload module beside the run, its factories broken in each way a user's can be.
BROKEN_WORKLOADS = """
import keras

class Float16Output(Blobs):
    def model(self, size, seed):
        inputs = keras.Input((64,))
        return keras.Model(inputs, keras.layers.Dense(8, activation="softmax")(inputs))

class WrongData(Blobs):
    def synthetic(self, n_train, n_test):
        data = super().synthetic(n_train, n_test)
        return Dataset(data.x_train[:, :32], data.y_train, data.x_test[:, :32], data.y_test, source="blobs-32")

not_callable = 3

def not_a_workload():
    return 42
"""
IMAGES_MAGIC, LABELS_MAGIC = 0x803, 0x801
IDX = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
       "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


def _arrays(**overrides) -> dict:
    rng = np.random.default_rng(0)
    a = {"x_train": rng.integers(0, 256, (32, 28, 28), dtype=np.uint8), "y_train": rng.integers(0, 10, 32),
         "x_test": rng.integers(0, 256, (16, 28, 28), dtype=np.uint8), "y_test": rng.integers(0, 10, 16)}
    a.update(overrides)
    return {k: v for k, v in a.items() if v is not None}


def _npz(folder: Path, **overrides) -> Path:
    path = folder / "mnist.npz"
    np.savez(path, **_arrays(**overrides))
    return path


def _raw(folder: Path, content: bytes, name: str = "mnist.npz") -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def _truncated(folder: Path) -> Path:
    whole = _npz(folder).read_bytes()
    return _raw(folder, whole[: len(whole) // 2])


def _pickled(folder: Path) -> Path:
    path = folder / "mnist.npz"
    np.savez(path, **_arrays(y_train=np.array([{"label": 1}] * 32, dtype=object)))
    return path


def _idx(folder: Path, magic: dict | None = None, cut: int = 0) -> Path:
    target = folder / "idx"
    target.mkdir()
    for key, stem in IDX.items():
        array = _arrays()[key].astype(np.uint8)
        m = (magic or {}).get(key, IMAGES_MAGIC if key.startswith("x") else LABELS_MAGIC)
        raw = m.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape) + array.tobytes()
        if key == "x_train" and cut:
            raw = raw[:-cut]
        (target / (stem + ".gz")).write_bytes(gzip.compress(raw))
    return target


def _corrupt_run(folder: Path) -> Path:
    storage = folder / "history" / "Linux-CPython-3.11-64bit"
    storage.mkdir(parents=True)
    (storage / "0001_abc_20261124_120000.json").write_text('{"machine_info": {"node": "x"}, "benchmarks": [')
    return folder / "history"


@dataclass(frozen=True)
class Case:
    name: str  # what is wrong, as docs/reliability.md's table says it
    kind: str  # "suite" (pytest benchmarks/) or "cli" (mpmodel ...)
    make: Callable[[Path], tuple[list[str], dict]]  # folder -> (arguments, environment additions)
    expect: str  # a piece of the one line


def data(make_file, expect: str, name: str) -> Case:
    return Case(name, "suite", lambda d: (["--mp-data", str(make_file(d))], {}), expect)


def option(args: list[str], expect: str, name: str, env: dict | None = None) -> Case:
    return Case(name, "suite", lambda d: (list(args), dict(env or {})), expect)


def workload(factory: str, expect: str, name: str) -> Case:
    """The suite run on `broken_workloads:factory`, a module written beside the run (the working directory)."""
    def make(folder: Path):
        (folder / "broken_workloads.py").write_text(EXAMPLE_WORKLOAD.read_text() + BROKEN_WORKLOADS)
        return ["--mp-workload", f"broken_workloads:{factory}", "--mp-profile", "tiny", "--mp-offline"], {}
    return Case(name, "suite", make, expect)


CASES = [
    data(lambda d: d / "absent.npz", "absent.npz: no such file", "--mp-data file missing"),
    data(lambda d: _raw(d, b""), "file is empty", "--mp-data file empty"),
    data(_truncated, "not an .npz (zip) archive", "--mp-data npz truncated halfway"),
    data(lambda d: _raw(d, b"x_train,y_train\n1,2\n"), "not an .npz (zip) archive", "--mp-data not a zip (CSV text)"),
    data(lambda d: _npz(d, y_test=None), "missing y_test", "npz without y_test"),
    data(lambda d: _npz(d, x_train=np.zeros((32, 27, 27), np.uint8)), "x_train has shape (32, 27, 27)",
         "npz images 27x27"),
    data(lambda d: _npz(d, y_train=np.full(32, 10)), "y_train holds labels in [10, 10], expected 0-9",
         "npz labels outside 0-9"),
    data(lambda d: _npz(d, x_test=np.full((16, 784), np.nan, np.float32)), "x_test holds NaN or infinite",
         "npz NaN pixels"),
    data(lambda d: _npz(d, x_test=np.full((16, 784), np.inf, np.float32)), "x_test holds NaN or infinite",
         "npz infinite pixels"),
    data(_pickled, "object (pickled) arrays, which are never loaded", "npz with an object (pickled) array"),
    data(lambda d: _npz(d, y_train=np.zeros(31, int)), "x_train has 32 images but y_train has 31 labels",
         "npz image and label counts differ"),
    data(lambda d: _idx(d, magic={"x_test": 0x12345678}), "magic number 0x12345678, expected",
         "IDX images file with a wrong magic number"),
    data(lambda d: _idx(d, magic={"y_test": 0x803}), "magic number 0x00000803 (images), expected 0x00000801 (labels)",
         "IDX labels file with the images magic"),
    data(lambda d: _idx(d, cut=100), "body has 24988 bytes, header promises 25088", "IDX images body truncated"),
    option(["--mp-policies", "float32,mixed_fp8"], "unknown policy 'mixed_fp8'", "unknown policy"),
    option(["--mp-profile", "huge"], "unknown profile 'huge'", "unknown profile"),
    option(["--mp-accuracy-tol", "-0.1"], "'-0.1' must be a fraction in [0, 1)", "negative tolerance"),
    option(["--mp-accuracy-tol", "1%"], "'1%' is not a number", "non-numeric tolerance"),
    option(["--mp-accuracy-seeds", "1"], "1 seeds: at least 2 needed", "too few accuracy seeds for a bound"),
    option(["--mp-min-speedup", "-1.5"], "'-1.5' must be a positive finite number", "negative speedup"),
    option(["--mp-min-speedup", "fast"], "'fast' is not a number or 'none'", "non-numeric speedup"),
    option(["--mp-min-speedup", "mixed_bfloat16=1.5,mixed_float16"], "'mixed_float16' is not policy=value",
           "malformed policy=value list"),
    option(["--mp-min-speedup", "mixed_bf16=1.5"], "unknown policy 'mixed_bf16'", "unknown policy in policy=value"),
    option(["--mp-jit", "xla"], "unknown compile mode 'xla'", "unknown compile mode"),
    option(["--mp-fp32", "tf16"], "unknown float32 variant 'tf16'", "unknown float32 variant"),
    option([], "MPMODEL_OFFLINE: 'maybe' is not 1/true/yes", "MPMODEL_OFFLINE=maybe", {"MPMODEL_OFFLINE": "maybe"}),
    option(["--mp-memory", "maybe"], "'maybe' is not on or off", "--mp-memory maybe"),
    option(["--mp-design", "greedy"], "'greedy' is not a design: sequential or fixed", "unknown design"),
    option(["--mp-budget", "soon"], "'soon' is not a number of minutes", "non-numeric budget"),
    option(["--mp-budget", "0"], "'0' minutes: a budget must be a positive, finite number of minutes", "zero budget"),
    option(["--mp-budget", "0.01", "--mp-profile", "tiny", "--mp-offline"],
           "--mp-budget 0.01: even the least run with every cut", "a budget even the least run exceeds"),
    option(["--mp-history", "history.db"], "'history.db' is not a database URL", "--mp-history a file name, not a URL"),
    option([], "MPMODEL_HISTORY: nosuchdb://host/db: no driver for this URL", "MPMODEL_HISTORY with an unknown database",
           {"MPMODEL_HISTORY": "nosuchdb://host/db"}),
    Case("--mp-data mnist offline, no cache", "suite",
         lambda d: (["--mp-data", "mnist", "--mp-offline"], {"KERAS_HOME": str(d / "keras")}),
         "no real MNIST at"),
    Case("--mp-data cifar10 for the conv workload, no cache", "suite",
         lambda d: (["--mp-workload", "conv", "--mp-data", "cifar10", "--mp-profile", "tiny"],
                    {"KERAS_HOME": str(d / "keras")}), "cifar10: no CIFAR-10 at"),
    Case("--mp-data a file for the transformer (a synthetic task)", "suite",
         lambda d: (["--mp-workload", "transformer", "--mp-data", "mnist", "--mp-profile", "tiny", "--mp-offline"], {}),
         "no workload of this session reads it: workload transformer reads no data files"),
    option(["--mp-data", "resnet=cifar10"], "resnet=cifar10: no workload named resnet in this session",
           "--mp-data names a workload the session does not have"),
    option(["--mp-data", "mnist,synthetic"], "gives two sources for every workload", "--mp-data with two bare sources"),
    option([], "Keras backend jaxx (from KERAS_BACKEND) cannot load", "KERAS_BACKEND=jaxx",
           {"KERAS_BACKEND": "jaxx"}),
    option(["--mp-workload", "resnet9000"], "unknown workload resnet9000; known: mlp", "unknown workload name"),
    option(["--mp-workload", "no_such_module:make"], "module no_such_module does not import: ModuleNotFoundError",
           "--mp-workload module that does not import"),
    workload("not_callable", "int object is not callable", "--mp-workload factory not callable"),
    workload("not_a_workload", "returned int, not an mpmodel.Workload", "--mp-workload factory returns no workload"),
    workload("Float16Output", "the model's output is float16 under mixed_float16, expected float32",
             "a model whose output is not float32 under a mixed policy"),
    workload("WrongData", "x_train samples have shape (32,), the model takes (64,)", "data that does not fit the model"),
    Case("mpmodel compare: run 0007 not in the history", "cli",
         lambda d: (["compare", "0007", "latest", "--storage", str(_corrupt_run(d))], {}),
         "0007: no such file, and no saved run numbered '0007'"),
    Case("mpmodel compare: run 0001 is a truncated file", "cli",
         lambda d: (["compare", "0001", "latest", "--storage", str(_corrupt_run(d))], {}),
         "cannot be used: not valid JSON"),
    Case("mpmodel compare: a named run file is corrupt", "cli",
         lambda d: (["compare", str(next(_corrupt_run(d).rglob("*.json"))), "latest", "--storage", str(d / "history")],
                    {}), "0001_abc_20261124_120000.json"),
    Case("mpmodel compare branch: with no branch named", "cli",
         lambda d: (["compare", "branch:", "latest", "--storage", str(FIXTURE_RUNS)], {}), "'branch:': name a branch"),
    Case("mpmodel compare --threshold -1", "cli", lambda d: (["compare", "previous", "latest", "--threshold", "-1"], {}),
         "'-1' must be a fraction in [0, 1)"),
]


# The cases that also run in a real child process (tests/test_bad_inputs.py, slow tier), one for each wiring that
# needs one: a data file, an option, the Keras backend chosen by the environment (read when the framework first
# imports), a user's workload module, and the history CLI. Every case also runs in the test's own process.
IN_A_CHILD = ("--mp-data npz truncated halfway", "unknown policy", "KERAS_BACKEND=jaxx",
              "a model whose output is not float32 under a mixed policy", "mpmodel compare: run 0001 is a truncated file")
# What an in-process run needs imported before pytester's snapshot of sys.modules: a native module it drops would not
# import again in this process.
PRELOAD = ("keras", "scipy.stats", "sqlalchemy", "mpmodel.plugin.session", "mpmodel.suite.conftest",
           "mpmodel.suite.test_accuracy", "mpmodel.suite.test_memory", "mpmodel.suite.test_speedup",
           "mpmodel.suite.test_step_time")

# TensorFlow's own start-up lines on stderr (absl's C++ log, which no Python setting silences), printed where a
# user's workload module imports Keras before its problem is found: the framework's, not the suite's one line.
FRAMEWORK_LOG = re.compile(r"^([IWEF]\d{4} [\d:.]+ +\d+ \S+:\d+\]|WARNING: All log messages before absl::"
                           r"|To enable the following instructions: )")


@dataclass
class Outcome:
    exit_code: int
    lines: list[str]  # non-empty lines on stderr
    stdout: str
    saved: list[str]  # files left in the history storage
    seconds: float

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout or any("Traceback" in line for line in self.lines)


def _outcome(exit_code: int, stderr_lines: list[str], stdout: str, folder: Path, seconds: float) -> Outcome:
    storage = folder / "storage"
    saved = [str(p.relative_to(folder)) for p in storage.rglob("*") if p.is_file()] if storage.exists() else []
    lines = [line for line in stderr_lines if line.strip() and not FRAMEWORK_LOG.match(line)]
    return Outcome(int(exit_code), lines, stdout, saved, seconds)


def suite_args(storage: Path, args: list[str]) -> list[str]:
    return [str(SUITE), "-p", "no:cacheprovider", "--benchmark-autosave", f"--benchmark-storage=file://{storage}", *args]


def run_case(case: Case, folder: Path) -> Outcome:
    """The case in a child process, as a user's shell runs it."""
    args, env_extra = case.make(folder)
    env = {**os.environ, **env_extra}
    if case.kind == "suite":
        cmd = [sys.executable, "-m", "pytest", *suite_args(folder / "storage", args)]
    else:
        cmd = [sys.executable, "-m", "mpmodel", *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=folder, timeout=300)
    return _outcome(proc.returncode, proc.stderr.splitlines(), proc.stdout, folder, time.perf_counter() - start)


def run_case_in_process(case: Case, pytester, monkeypatch, capsys) -> Outcome:
    """The case in this process: the suite through pytester's in-process run, the CLI through its main(); in
    pytester's folder, with the case's environment set for the call alone."""
    folder = pytester.path
    args, env_extra = case.make(folder)
    for name, value in env_extra.items():
        monkeypatch.setenv(name, value)
    start = time.perf_counter()
    if case.kind == "suite":
        result = pytester.runpytest_inprocess(*suite_args(folder / "storage", args))
        code, err, out = result.ret, result.errlines, "\n".join(result.outlines)
    else:
        from mpmodel.history.cli import main  # noqa: PLC0415 (the CLI cases alone)

        monkeypatch.chdir(folder)
        capsys.readouterr()
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        err, out = captured.err.splitlines(), captured.out
    return _outcome(code, err, out, folder, time.perf_counter() - start)


HEADER = "| bad input | exit | the one line (stderr) | saved | seconds |\n|---|---|---|---|---|"


def rows():
    """Each case run for real: its Markdown row, and whether it was clean (one line, non-zero exit, nothing saved)."""
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            out = run_case(case, Path(tmp))
            shown = [line.replace(tmp, "$TMP") for line in out.lines]
        ok = out.exit_code != 0 and len(out.lines) == 1 and not out.traceback and not out.saved and \
            case.expect in out.lines[0]
        line = shown[0] if len(shown) == 1 else f"{len(shown)} lines: " + " / ".join(shown[:3])
        line = line.replace("|", "\\|")
        yield (f"| {case.name} | {out.exit_code} | `{line}` | {len(out.saved) or 'nothing'} | {out.seconds:.1f} |"
               + ("" if ok else " **NOT CLEAN**")), ok


def main() -> int:
    print(HEADER)
    clean = 0
    for row, ok in rows():
        clean += ok
        print(row, flush=True)
    print(f"\n{clean}/{len(CASES)} clean", file=sys.stderr)
    return 0 if clean == len(CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
