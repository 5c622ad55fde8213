"""A bare train_on_batch loop, the reference the suite's step timing is checked against.

Builds the seed's model the plain way (global policy set, Model built, compiled), runs
full-size steps on one batch with `time.perf_counter` around each, prints the median.
No mpmodel timing code is used, so a bias in the suite's harness would show as a gap.

    python studies/bare_loop.py --policy float32 --units 1024 --batch 2048 --steps 15
"""

from __future__ import annotations

import argparse
import statistics
import time

import keras
import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", default="float32")
    ap.add_argument("--units", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=2048)
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args(argv)

    keras.config.set_dtype_policy(args.policy)
    inputs = keras.Input(shape=(784,))
    x = keras.layers.Dense(args.units, activation="relu")(inputs)
    x = keras.layers.Dense(args.units, activation="relu")(x)
    x = keras.layers.Dense(10)(x)
    outputs = keras.layers.Activation("softmax", dtype="float32")(x)
    model = keras.Model(inputs, outputs)
    keras.config.set_dtype_policy("float32")
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])

    rng = np.random.default_rng(0)
    xb = rng.random((args.batch, 784), dtype=np.float32)
    yb = rng.integers(0, 10, args.batch)
    for _ in range(args.warmup):
        model.train_on_batch(xb, yb)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        model.train_on_batch(xb, yb)
        times.append(time.perf_counter() - start)
    print(f"bare loop {args.policy} units={args.units} batch={args.batch}: median {statistics.median(times) * 1e3:.2f} ms "
          f"over {args.steps} steps (min {min(times) * 1e3:.2f}, max {max(times) * 1e3:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
