"""32x32x3 image sets for the convolutional workload: a synthetic one, CIFAR-10 from Keras's cache, and the
MNIST-format sets padded to 32x32 and repeated over three channels.

Images come back as float32 (N, 32, 32, 3) in [0, 1] with int32 labels 0-9. CIFAR-10's cache is Python
pickles (`~/.keras/datasets/cifar-10-batches-py`); they are read by an unpickler that admits numpy's array
reconstruction and nothing else, so a tampered file cannot run code.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import numpy as np

from mpmodel.core.data.dataset import DataError, Dataset
from mpmodel.core.data.validation import NUM_CLASSES

IMAGE_SHAPE = (32, 32, 3)
# The generator and its constants must not change, only gain a new version: results compare within one.
SYNTHETIC_IMAGES_VERSION = "synthetic-images-v1"
SYNTHETIC_IMAGES_SEED = 20261201
PATCH = 8  # each class is an 8x8x3 texture patch
DISTRACTOR_MAX = 0.75  # a patch of another class, at up to this share of the class patch's contrast
BACKGROUND_NOISE = 0.45  # sd of the pixel noise the patches sit in
LABEL_NOISE = 0.1  # share of labels redrawn at random: the error converged runs share


def _patches(rng: np.random.Generator) -> np.ndarray:
    """Ten 8x8x3 class textures, zero mean and unit sd each."""
    p = rng.normal(size=(NUM_CLASSES, PATCH, PATCH, 3)).astype(np.float32)
    p -= p.mean(axis=(1, 2, 3), keepdims=True)
    return p / p.std(axis=(1, 2, 3), keepdims=True)


def _place(canvas: np.ndarray, patches: np.ndarray, scale: np.ndarray, rng: np.random.Generator) -> None:
    """Add each patch, times its scale, at a random place of its image."""
    n = canvas.shape[0]
    top = rng.integers(0, 32 - PATCH + 1, size=n)
    left = rng.integers(0, 32 - PATCH + 1, size=n)
    for i in range(n):
        canvas[i, top[i]:top[i] + PATCH, left[i]:left[i] + PATCH] += scale[i] * patches[i]


def synthetic_images(n_train: int, n_test: int) -> Dataset:
    """A deterministic set a convnet learns but not trivially: each image is its class's texture patch at a random
    place, a weaker patch of another class elsewhere, in pixel noise. Where a patch is translated, only a
    translation-invariant detector (convolutions and global pooling) finds it. A tenth of the labels are redrawn at
    random, so no model exceeds about 0.91 and converged runs share their errors: accuracy deltas then measure the
    policy, not where each run stopped."""
    rng = np.random.default_rng(SYNTHETIC_IMAGES_SEED)
    patches = _patches(rng)
    n = n_train + n_test
    y = rng.integers(0, NUM_CLASSES, size=n)
    other = (y + rng.integers(1, NUM_CLASSES, size=n)) % NUM_CLASSES
    x = rng.normal(0.0, BACKGROUND_NOISE, size=(n, *IMAGE_SHAPE)).astype(np.float32)
    _place(x, patches[other], rng.uniform(0.0, DISTRACTOR_MAX, size=n).astype(np.float32), rng)
    _place(x, patches[y], np.ones(n, np.float32), rng)
    x = np.clip(0.5 + x / 6.0, 0.0, 1.0)
    y = np.where(rng.random(n) < LABEL_NOISE, rng.integers(0, NUM_CLASSES, size=n), y)
    label = SYNTHETIC_IMAGES_VERSION + ("" if (n_train, n_test) == (50000, 10000) else f"[{n_train}+{n_test}]")
    return Dataset(x[:n_train], y[:n_train].astype(np.int32), x[n_train:], y[n_train:].astype(np.int32), label)


def as_images(data: Dataset) -> Dataset:
    """An MNIST-format set (N, 784) in [0, 1] as 32x32x3: each 28x28 digit padded by 2 pixels of black on every
    side and repeated over the three channels."""
    def convert(x):
        x = x.reshape(-1, 28, 28)
        x = np.pad(x, ((0, 0), (2, 2), (2, 2)))
        return np.repeat(x[..., None], 3, axis=-1).astype(np.float32)

    return Dataset(convert(data.x_train), data.y_train, convert(data.x_test), data.y_test,
                   f"{data.source} as 32x32x3", data.note)


class _ArraysOnly(pickle.Unpickler):
    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"), ("_codecs", "encode")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refused {module}.{name}: only numpy arrays are read")
        return super().find_class(module, name)


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = _ArraysOnly(io.BytesIO(path.read_bytes()), encoding="bytes").load()
        data, labels = batch[b"data"], batch[b"labels"]
        x = np.asarray(data, dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        y = np.asarray(labels, dtype=np.int32)
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{path}: not a CIFAR-10 batch ({type(exc).__name__}: {exc})") from None
    if x.shape[0] != y.shape[0] or (y.size and (y.min() < 0 or y.max() >= NUM_CLASSES)):
        raise DataError(f"{path}: {x.shape[0]} images, {y.shape[0]} labels in [{y.min()}, {y.max()}]; expected "
                        "equal counts and labels 0-9")
    return x, y


def cifar10_cache() -> Path:
    """Where Keras keeps CIFAR-10 ($KERAS_HOME or ~/.keras, datasets/cifar-10-batches-py)."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "datasets" / "cifar-10-batches-py"


def read_cifar10(folder: Path) -> Dataset:
    """CIFAR-10 in Keras's cache format: data_batch_1..5 and test_batch."""
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder (CIFAR-10 in Keras's cache format)")
    train = [_cifar_batch(folder / f"data_batch_{i}") for i in range(1, 6) if (folder / f"data_batch_{i}").is_file()]
    if not train or not (folder / "test_batch").is_file():
        raise DataError(f"{folder}: missing data_batch_1..5 or test_batch (CIFAR-10 in Keras's cache format)")
    x_test, y_test = _cifar_batch(folder / "test_batch")
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return Dataset(x_train.astype(np.float32) / 255.0, y_train, x_test.astype(np.float32) / 255.0, y_test,
                   f"cifar10:{folder}")


def cifar10_folder(spec: str) -> Path | None:
    """`spec` as a folder of CIFAR-10 batches, where it is one."""
    path = Path(spec).expanduser()
    return path if (path / "test_batch").is_file() else None
