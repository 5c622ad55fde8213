"""Reading MNIST from files: a Keras-format mnist.npz (never unpickled), a folder of the four original
IDX files (gzipped or not), Keras's cache, and Keras's download of its own copy."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import zipfile
from pathlib import Path

import numpy as np

from mpmodel.core.data.dataset import DataError, Dataset
from mpmodel.core.data.validation import NPZ_KEYS, validate

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801


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


# Keras's copy -----------------------------------------------------------------------


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

        with contextlib.redirect_stdout(io.StringIO()):  # Keras's "Downloading data from ...": the data line says
            path = keras.utils.get_file(fname="mnist.npz", origin=MNIST_URL, file_hash=MNIST_SHA256,
                                        cache_subdir="datasets")
    except Exception as exc:  # Keras raises bare Exception for URL failures
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"Keras MNIST download failed: {reason}") from None
    return read_npz_as(Path(path), "keras-download")


def read_npz_as(path: Path, label: str) -> Dataset:
    data = read_npz(path)
    return Dataset(data.x_train, data.y_train, data.x_test, data.y_test, f"{label}:{path}")
