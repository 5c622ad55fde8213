import gzip
import zipfile

import numpy as np
import pytest

from mpmodel import data
from mpmodel.data import DataError


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
    for key, stem in data.IDX_FILES.items():
        magic = data.IDX_IMAGES_MAGIC if key.startswith("x") else data.IDX_LABELS_MAGIC
        raw = idx_bytes(a[key], magic)
        if gz:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return a


def test_npz_loads_and_normalises(tmp_path):
    d = data.read_path(write_npz(tmp_path / "mnist.npz"))
    assert d.x_train.shape == (32, 784) and d.x_train.dtype == np.float32
    assert 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0
    assert d.y_test.dtype == np.int32 and d.source.startswith("npz:")


def test_npz_with_flat_float_images_in_unit_range(tmp_path):
    a = arrays()
    flat = (a["x_train"].reshape(32, 784) / 255.0).astype(np.float32)
    d = data.read_path(write_npz(tmp_path / "m.npz", x_train=flat))
    np.testing.assert_allclose(d.x_train, flat)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_loads(tmp_path, gz):
    a = write_idx_folder(tmp_path / "idx", gz=gz)
    d = data.read_path(tmp_path / "idx")
    np.testing.assert_array_equal(d.y_train, a["y_train"])
    np.testing.assert_allclose(d.x_test * 255, a["x_test"].reshape(16, 784), atol=1e-3)
    assert d.source.startswith("idx:")


def bad_npz_cases(tmp_path):
    a = arrays()
    nan_images = a["x_train"].astype(np.float32)
    nan_images[0, 0, 0] = np.nan
    inf_images = a["x_train"].astype(np.float32)
    inf_images[1, 2, 3] = np.inf
    return {
        "missing keys": (dict(y_test=None), "missing y_test"),
        "wrong shape": (dict(x_train=np.zeros((32, 27, 28), np.uint8)), "shape (32, 27, 28)"),
        "labels out of range": (dict(y_train=np.full(32, 10, np.uint8)), "expected 0-9"),
        "negative labels": (dict(y_train=np.full(32, -1, np.int64)), "expected 0-9"),
        "nan pixels": (dict(x_train=nan_images), "NaN or infinite"),
        "inf pixels": (dict(x_train=inf_images), "NaN or infinite"),
        "count mismatch": (dict(y_train=a["y_train"][:31]), "32 images but y_train has 31 labels"),
        "pixels out of range": (dict(x_train=np.full((32, 784), 300.0)), "pixel values span"),
        "constant images": (dict(x_test=np.zeros((16, 784), np.uint8)), "constant"),
        "non-integer labels": (dict(y_test=np.full(16, 1.5)), "non-integer"),
    }


@pytest.mark.parametrize("case", list(bad_npz_cases(None)))
def test_bad_npz_fails_with_one_line_naming_the_file(tmp_path, case):
    overrides, message = bad_npz_cases(tmp_path)[case]
    path = write_npz(tmp_path / "bad.npz", **overrides)
    with pytest.raises(DataError) as info:
        data.read_path(path)
    text = str(info.value)
    assert str(path) in text and message in text and "\n" not in text


def test_object_arrays_are_never_unpickled(tmp_path):
    path = tmp_path / "pickled.npz"
    a = arrays()
    a["y_train"] = np.array([object()] * 32, dtype=object)
    np.savez(path, **a)
    with pytest.raises(DataError, match="object \\(pickled\\) arrays"):
        data.read_path(path)


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    (b"", "file is empty"),
    (b"not a zip at all", "not an .npz"),
])
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "x.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        data.read_path(path)


def test_truncated_npz(tmp_path):
    path = write_npz(tmp_path / "t.npz")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError) as info:
        data.read_path(path)
    assert str(path) in str(info.value)


def test_zip_without_arrays(tmp_path):
    path = tmp_path / "empty.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(DataError, match="missing x_train, y_train, x_test, y_test"):
        data.read_path(path)


def test_idx_wrong_magic(tmp_path):
    write_idx_folder(tmp_path / "idx")
    f = tmp_path / "idx" / "train-labels-idx1-ubyte"
    f.write_bytes((0x0999).to_bytes(4, "big") + f.read_bytes()[4:])
    with pytest.raises(DataError, match="magic number 0x00000999"):
        data.read_path(tmp_path / "idx")


def test_idx_truncated_body(tmp_path):
    write_idx_folder(tmp_path / "idx")
    f = tmp_path / "idx" / "t10k-images-idx3-ubyte"
    f.write_bytes(f.read_bytes()[:-100])
    with pytest.raises(DataError, match="body has .* header promises"):
        data.read_path(tmp_path / "idx")


def test_idx_missing_file(tmp_path):
    write_idx_folder(tmp_path / "idx")
    (tmp_path / "idx" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="missing t10k-labels-idx1-ubyte"):
        data.read_path(tmp_path / "idx")


def test_synthetic_is_deterministic_learnable_shaped_and_not_trivial():
    a, b = data.synthetic_mnist(600, 200), data.synthetic_mnist(600, 200)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.x_train.shape == (600, 784) and a.x_test.shape == (200, 784)
    assert a.x_train.std() > 0.1 and len(np.unique(a.y_train)) == 10
    assert a.source == "synthetic-v1[600+200]" and a.is_synthetic  # a smaller set is other data
    # a nearest-class-mean classifier gets 0.48 (chance 0.1; the MLP reaches the 0.91 label-noise ceiling)
    full = data.synthetic_mnist(6000, 2000)
    means = np.stack([full.x_train[full.y_train == c].mean(0) for c in range(10)])
    pred = np.argmin(((full.x_test[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    accuracy = (pred == full.y_test).mean()
    assert 0.3 < accuracy < 0.8, accuracy


def test_load_data_specs(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def offline():
        raise DataError("Keras MNIST download failed: no network")

    monkeypatch.setattr(data, "download_mnist", offline)
    assert data.load_data("synthetic").source == "synthetic-v1"
    fallback = data.load_data("auto")  # no cache, no download
    assert fallback.source == "synthetic-v1" and fallback.note.startswith("fallback: no MNIST at")
    with pytest.raises(DataError, match="^mnist: no real MNIST"):
        data.load_data("mnist")
    write_npz(tmp_path / "given.npz")
    assert data.load_data(str(tmp_path / "given.npz")).source.startswith("npz:")
    cache = data.keras_cache_path()
    cache.parent.mkdir(parents=True)
    write_npz(cache)
    assert data.load_data("auto").source == f"keras-cache:{cache}"
    assert data.load_data("mnist").source == f"keras-cache:{cache}"


def test_download_uses_keras_get_file_and_never_its_loader(tmp_path, monkeypatch):
    """Keras's MNIST loader runs np.load(allow_pickle=True) in some Keras 3 releases; the download
    goes through get_file (URL and SHA-256 as Keras has them) and the file through read_npz."""
    keras = pytest.importorskip("keras")
    calls = []
    pickled = tmp_path / "mnist.npz"
    np.savez(pickled, **{**arrays(), "y_test": np.array([{"run": "code"}] * 16, dtype=object)})

    def fake_get_file(**kwargs):
        calls.append(kwargs)
        return str(pickled)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda *a, **k: pytest.fail("Keras's loader was called"))
    with pytest.raises(DataError, match="object \\(pickled\\) arrays, which are never loaded"):
        data.download_mnist()
    assert calls == [{"fname": "mnist.npz", "origin": data.MNIST_URL, "file_hash": data.MNIST_SHA256,
                      "cache_subdir": "datasets"}]
