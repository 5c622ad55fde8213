"""An independent measurement of a step's memory on a CPU, to check the suite's `test_memory` against.

Plain Keras, no mpmodel code: in a fresh process per policy, the model built the plain way (global policy
set), one batch, `train_on_batch` as the step. The resident set before the model is built and after two
warm-up steps gives the resting memory; then, five times: `malloc_trim(0)`, the peak reset through
`/proc/self/clear_refs`, one step, the peak (`VmHWM`) above the resident set before it.

    python studies/memory_check.py --units 1024 --batch 2048            # every policy, KERAS_BACKEND's backend
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")


def kib(name: str) -> int:
    return int(re.search(rf"^{name}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE).group(1)) * 1024


def settle() -> int:
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return kib("VmRSS")


def one_policy(policy: str, units: int, batch: int) -> dict:
    import keras  # noqa: PLC0415 (the child process loads the backend)
    import numpy as np  # noqa: PLC0415

    rng = np.random.default_rng(0)
    x = keras.ops.convert_to_tensor(rng.random((batch, 784), dtype=np.float32))
    y = keras.ops.convert_to_tensor(rng.integers(0, 10, batch))
    before = settle()
    keras.config.set_dtype_policy(policy)
    inputs = keras.Input(shape=(784,))
    h = keras.layers.Dense(units, activation="relu")(inputs)
    h = keras.layers.Dense(units, activation="relu")(h)
    outputs = keras.layers.Activation("softmax", dtype="float32")(keras.layers.Dense(10)(h))
    model = keras.Model(inputs, outputs)
    keras.config.set_dtype_policy("float32")
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
    for _ in range(2):
        model.train_on_batch(x, y)
    resting = settle() - before
    peaks = []
    for _ in range(5):
        at_rest = settle()
        Path("/proc/self/clear_refs").write_text("5")
        model.train_on_batch(x, y)
        peaks.append(kib("VmHWM") - at_rest)
    return {"policy": policy, "resting_bytes": resting, "peak_step_bytes": peaks}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=2048)
    ap.add_argument("--policy", help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args(argv)
    if args.policy:
        print(json.dumps(one_policy(args.policy, args.units, args.batch)))
        return 0
    for policy in POLICIES:
        out = subprocess.run([sys.executable, __file__, f"--policy={policy}", f"--units={args.units}",
                              f"--batch={args.batch}"], capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        mib = [p / 2**20 for p in r["peak_step_bytes"]]
        print(f"{policy}: resting {r['resting_bytes'] / 2**20:.1f} MiB, step peak median {statistics.median(mib):.1f} MiB "
              f"(range {min(mib):.1f}-{max(mib):.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
