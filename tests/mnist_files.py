"""Data files for the data tests: small random MNIST-shaped arrays as npz and IDX, and CIFAR-10 batches."""

import gzip
import pickle

import numpy as np

from mpmodel.core.data import readers


def arrays(n_train=32, n_test=16, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_npz(path, **overrides):
    a = arrays()
    a.update(overrides)
    np.savez(path, **{k: v for k, v in a.items() if v is not None})
    return path


def idx_bytes(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_folder(folder, gz=False, a=None):
    a = a or arrays()
    folder.mkdir(exist_ok=True)
    for key, stem in readers.IDX_FILES.items():
        magic = readers.IDX_IMAGES_MAGIC if key.startswith("x") else readers.IDX_LABELS_MAGIC
        raw = idx_bytes(a[key], magic)
        if gz:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return a


def write_cifar(folder, n=20, labels=None):
    """A folder of CIFAR-10 batches (pickled dicts, as Keras's cache holds them) of `n` random images each."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                 b"labels": list(labels if labels is not None else rng.integers(0, 10, n))}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    return folder
