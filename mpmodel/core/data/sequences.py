"""Token sequences for the transformer workload: a synthetic task that needs attention.

Each sequence holds `length` tokens: digits 0-9 drawn at random and, at one random position (not the last),
the marker token 10. The label is the digit right after the marker. Where the marker sits changes from sequence
to sequence, so the model must find it and read its neighbour: a bag of tokens (embedding, mean pooling, two
Dense GELU layers, 10 epochs) sees only that the label's digit occurs at least once and scored 0.283 at length 8
and 0.255 at length 16 (JAX, 2-core Intel Xeon, 2026-12-01); attention from the position after the marker to
the marker (or back) solves it, up to the label noise. A share of the labels is redrawn at random, so no model exceeds
about 1 - 0.9 x that share and accuracy deltas stay meaningful.
"""

from __future__ import annotations

import numpy as np

from mpmodel.core.data.dataset import Dataset
from mpmodel.core.data.validation import NUM_CLASSES

# The generator and its constants must not change, only gain a new version: results compare within one.
SYNTHETIC_SEQUENCES_VERSION = "synthetic-sequences-v1"
SYNTHETIC_SEQUENCES_SEED = 20261202
MARKER = NUM_CLASSES  # token 10; digits are 0-9
VOCABULARY = NUM_CLASSES + 1
LABEL_NOISE = 0.1


def synthetic_sequences(n_train: int, n_test: int, length: int) -> Dataset:
    """`n_train` + `n_test` int32 sequences of `length` tokens and their labels (the digit after the marker)."""
    rng = np.random.default_rng(SYNTHETIC_SEQUENCES_SEED + length)
    n = n_train + n_test
    x = rng.integers(0, NUM_CLASSES, size=(n, length)).astype(np.int32)
    at = rng.integers(0, length - 1, size=n)
    x[np.arange(n), at] = MARKER
    y = x[np.arange(n), at + 1].copy()
    flip = rng.random(n) < LABEL_NOISE
    y = np.where(flip, rng.integers(0, NUM_CLASSES, size=n), y).astype(np.int32)
    label = f"{SYNTHETIC_SEQUENCES_VERSION}[{n_train}+{n_test}, length {length}]"
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], label)
