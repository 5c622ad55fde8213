"""MNIST-shaped data: from a file, Keras's cache or download, or a synthetic set.

`load_data(spec)` tries, in order, what `spec` allows: a path (a Keras-format `mnist.npz`
or a folder with the four original IDX files, gzipped or not), Keras's cached `mnist.npz`,
Keras's download, then a deterministic synthetic set. Whatever is loaded is validated and
returned as float32 images of shape (N, 784) in [0, 1] and int32 labels 0-9. Nothing is
ever unpickled.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mpmodel.profiles import INPUT_DIM, NUM_CLASSES

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801
SPECIAL_SPECS = ("auto", "mnist", "synthetic")


class DataError(Exception):
    """Data that cannot be used; the message is one line naming the input and the problem."""


@dataclass(frozen=True)
class Dataset:
    """Train and test arrays and a line saying where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    note: str = ""  # why this source was used, where an earlier one was passed over

    @property
    def is_synthetic(self) -> bool:
        return self.source.startswith("synthetic")


# --- validation -------------------------------------------------------------------------


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


# --- readers ----------------------------------------------------------------------------


def read_npz(path: Path) -> Dataset:
    """A Keras-format mnist.npz, loaded without pickle."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: file is empty")
    if not zipfile.is_zipfile(path):
        raise DataError(f"{path}: not an .npz (zip) archive")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files if k in NPZ_KEYS}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(f"{path}: holds object (pickled) arrays, which are never loaded") from None
        raise DataError(f"{path}: unreadable array ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{path}: truncated or corrupt archive ({exc})") from None
    return validate(arrays, str(path), f"npz:{path}")


def _idx_path(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"{folder}: missing {stem}[.gz] (an IDX folder needs {', '.join(IDX_FILES.values())})")


IDX_KIND = {IDX_IMAGES_MAGIC: "images", IDX_LABELS_MAGIC: "labels"}


def read_idx(path: Path, expect_magic: int | None = None) -> np.ndarray:
    """One IDX file (gzipped or not): images (N, 28, 28) or labels (N,), uint8. With `expect_magic`,
    a file of the other kind (labels where images belong) is refused by name."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"{path}: unreadable ({exc})") from None
    if len(raw) < 8:
        raise DataError(f"{path}: {len(raw)} bytes, too short for an IDX header")
    magic = int.from_bytes(raw[0:4], "big")
    count = int.from_bytes(raw[4:8], "big")
    if expect_magic is not None and magic in IDX_KIND and magic != expect_magic:
        raise DataError(f"{path}: magic number 0x{magic:08x} ({IDX_KIND[magic]}), expected 0x{expect_magic:08x} "
                        f"({IDX_KIND[expect_magic]}) for this file")
    if magic == IDX_IMAGES_MAGIC:
        if len(raw) < 16:
            raise DataError(f"{path}: truncated IDX image header")
        rows, cols = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
        shape, offset = (count, rows, cols), 16
    elif magic == IDX_LABELS_MAGIC:
        shape, offset = (count,), 8
    else:
        raise DataError(
            f"{path}: magic number 0x{magic:08x}, expected 0x{IDX_IMAGES_MAGIC:08x} (images) "
            f"or 0x{IDX_LABELS_MAGIC:08x} (labels)"
        )
    expected = int(np.prod(shape))
    body = len(raw) - offset
    if body != expected:
        raise DataError(f"{path}: body has {body} bytes, header promises {expected} ({' x '.join(map(str, shape))})")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def read_idx_folder(folder: Path) -> Dataset:
    """The four original MNIST IDX files in `folder`."""
    arrays = {key: read_idx(_idx_path(folder, stem), IDX_IMAGES_MAGIC if key.startswith("x") else IDX_LABELS_MAGIC)
              for key, stem in IDX_FILES.items()}
    return validate(arrays, str(folder), f"idx:{folder}")


def read_path(path: str | os.PathLike) -> Dataset:
    """A user-given path: an .npz file or a folder of IDX files."""
    p = Path(path).expanduser()
    if p.is_dir():
        return read_idx_folder(p)
    return read_npz(p)


# --- Keras's copy -----------------------------------------------------------------------


def keras_cache_path() -> Path:
    """Where Keras keeps mnist.npz: $KERAS_HOME/datasets, default ~/.keras/datasets."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"  # Keras's own source
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def download_mnist() -> Dataset:
    """Keras's download (its URL, hash check and cache) without its loader, which some Keras 3
    releases run with allow_pickle=True; DataError when it cannot be had."""
    try:
        import keras  # noqa: PLC0415 (only this source needs Keras)

        path = keras.utils.get_file(fname="mnist.npz", origin=MNIST_URL, file_hash=MNIST_SHA256, cache_subdir="datasets")
    except Exception as exc:  # Keras raises bare Exception for URL failures
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"Keras MNIST download failed: {reason}") from None
    return read_npz_as(Path(path), "keras-download")


def read_npz_as(path: Path, label: str) -> Dataset:
    data = read_npz(path)
    return Dataset(data.x_train, data.y_train, data.x_test, data.y_test, f"{label}:{path}")


# --- synthetic --------------------------------------------------------------------------

# The generator and its constants must not change, only gain new versions: results saved
# with "synthetic-v1" compare against each other only while the set stays the same.
SYNTHETIC_VERSION = "synthetic-v1"
SYNTHETIC_SEED = 20261124
SYNTHETIC_TRAIN, SYNTHETIC_TEST = 60000, 10000
SYNTHETIC_BLEND_MAX = 0.2  # largest share of another class's template
SYNTHETIC_PIXEL_NOISE = 0.15  # sd of Gaussian pixel noise, pixels in [0, 1]
SYNTHETIC_LABEL_NOISE = 0.1  # share of labels redrawn at random


def _prototypes(rng: np.random.Generator) -> np.ndarray:
    """Ten 28x28 class templates built from random strokes of Gaussian blobs."""
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float32)
    protos = np.zeros((NUM_CLASSES, 28, 28), np.float32)
    for c in range(NUM_CLASSES):
        for _ in range(4):  # four strokes per class
            start, end = rng.uniform(6, 22, size=2), rng.uniform(6, 22, size=2)
            for t in np.linspace(0, 1, 12):
                cy, cx = start + t * (end - start)
                protos[c] += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * 1.6**2))
        protos[c] = np.clip(protos[c], 0, 1)
    return protos


def synthetic_mnist(n_train: int = SYNTHETIC_TRAIN, n_test: int = SYNTHETIC_TEST) -> Dataset:
    """A deterministic MNIST-shaped set: learnable, not trivial.

    Each image is its class template, shifted by up to 3 pixels, dimmed, blended with
    another class's template and covered in pixel noise; stored as uint8 like MNIST.
    A tenth of the labels (train and test) are redrawn at random, so no model exceeds
    about 0.91 test accuracy: the recipe's float32 runs land at 0.906-0.909 on `small`,
    and the noisy labels, not samples near a class boundary, set the error, which keeps
    run-to-run spread small (A/A sd 0.0016 measured on a 2-core EPYC).
    """
    rng = np.random.default_rng(SYNTHETIC_SEED)
    protos = _prototypes(rng)
    n = n_train + n_test
    y = rng.integers(0, NUM_CLASSES, size=n)
    other = (y + rng.integers(1, NUM_CLASSES, size=n)) % NUM_CLASSES
    blend = rng.uniform(0.0, SYNTHETIC_BLEND_MAX, size=n).astype(np.float32)[:, None, None]
    gain = rng.uniform(0.6, 1.0, size=n).astype(np.float32)[:, None, None]
    x = gain * ((1 - blend) * protos[y] + blend * protos[other])
    shifts = rng.integers(-3, 4, size=(n, 2))
    for dy in range(-3, 4):
        for dx in range(-3, 4):
            sel = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
            x[sel] = np.roll(x[sel], (dy, dx), axis=(1, 2))
    x += rng.normal(0.0, SYNTHETIC_PIXEL_NOISE, size=x.shape).astype(np.float32)
    flip = rng.random(n) < SYNTHETIC_LABEL_NOISE
    y = np.where(flip, rng.integers(0, NUM_CLASSES, size=n), y)
    images = np.round(np.clip(x, 0, 1) * 255).astype(np.uint8)
    arrays = {
        "x_train": images[:n_train], "y_train": y[:n_train],
        "x_test": images[n_train:], "y_test": y[n_train:],
    }
    full_size = (n_train, n_test) == (SYNTHETIC_TRAIN, SYNTHETIC_TEST)
    label = SYNTHETIC_VERSION if full_size else f"{SYNTHETIC_VERSION}[{n_train}+{n_test}]"
    return validate(arrays, label, label)


# --- choosing a source ------------------------------------------------------------------


def load_data(spec: str = "auto", offline: bool = False) -> Dataset:
    """The first source that works for `spec`.

    auto: Keras cache, Keras download, synthetic. mnist: Keras cache or download, else
    DataError. synthetic: the synthetic set. Anything else: a path, which must load.
    `offline` drops the download, the only source that touches the network.
    """
    if spec == "synthetic":
        return synthetic_mnist()
    if spec not in SPECIAL_SPECS:
        return read_path(spec)
    cache = keras_cache_path()
    if cache.is_file():
        return read_npz_as(cache, "keras-cache")
    try:
        if offline:
            raise DataError("offline, so no download was tried (--mp-offline or MPMODEL_OFFLINE)")
        return download_mnist()
    except DataError as exc:
        if spec == "mnist":
            raise DataError(
                f"mnist: no real MNIST at {cache} and {exc}; pass --mp-data PATH "
                "to an mnist.npz or IDX folder"
            ) from None
        reason = f"no MNIST at {cache}, {exc}"
    return dataclasses.replace(synthetic_mnist(), note=f"fallback: {reason}")
