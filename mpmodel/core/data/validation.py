"""Checking and normalising MNIST-shaped arrays: float32 images (N, 784) in [0, 1], int32 labels 0-9."""

from __future__ import annotations

import numpy as np

from mpmodel.core.data.dataset import DataError, Dataset

INPUT_DIM = 784  # MNIST: 28 x 28 pixels, flattened
NUM_CLASSES = 10

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def _validate_images(name: str, x: np.ndarray, where: str) -> np.ndarray:
    if x.dtype == object or not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise DataError(f"{where}: {name} has dtype {x.dtype}, expected uint8 or float pixels")
    if x.ndim == 3 and x.shape[1:] == (28, 28):
        x = x.reshape(x.shape[0], INPUT_DIM)
    elif not (x.ndim == 2 and x.shape[1] == INPUT_DIM):
        raise DataError(f"{where}: {name} has shape {x.shape}, expected (N, 28, 28) or (N, 784)")
    if x.shape[0] == 0:
        raise DataError(f"{where}: {name} holds no images")
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise DataError(f"{where}: {name} holds NaN or infinite pixel values")
    lo, hi = float(x.min()), float(x.max())
    if lo < 0 or hi > 255:
        raise DataError(f"{where}: {name} pixel values span [{lo:g}, {hi:g}], expected [0, 1] or [0, 255]")
    if hi == lo:
        raise DataError(f"{where}: {name} is constant ({lo:g}), not images")
    if hi > 1.0:
        x /= 255.0
    return x


def _validate_labels(name: str, y: np.ndarray, where: str) -> np.ndarray:
    if y.dtype == object or not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise DataError(f"{where}: {name} has dtype {y.dtype}, expected integer labels")
    y = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1:
        raise DataError(f"{where}: {name} has shape {y.shape}, expected (N,)")
    if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
        raise DataError(f"{where}: {name} holds non-integer labels")
    if y.size and (y.min() < 0 or y.max() >= NUM_CLASSES):
        raise DataError(f"{where}: {name} holds labels in [{y.min():g}, {y.max():g}], expected 0-9")
    return y.astype(np.int32)


def validate(arrays: dict[str, np.ndarray], where: str, source: str) -> Dataset:
    """Check and normalise the four arrays; DataError naming `where` on the first problem."""
    missing = [k for k in NPZ_KEYS if k not in arrays]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)} (expected keys {', '.join(NPZ_KEYS)})")
    out = {}
    for split in ("train", "test"):
        x = _validate_images(f"x_{split}", arrays[f"x_{split}"], where)
        y = _validate_labels(f"y_{split}", arrays[f"y_{split}"], where)
        if x.shape[0] != y.shape[0]:
            raise DataError(f"{where}: x_{split} has {x.shape[0]} images but y_{split} has {y.shape[0]} labels")
        out[f"x_{split}"], out[f"y_{split}"] = x, y
    return Dataset(**out, source=source)
