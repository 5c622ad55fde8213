"""Reading MNIST files: npz without pickle, IDX folders (gzipped or not), Keras's download."""

import zipfile

import numpy as np
import pytest
from mnist_files import arrays, write_idx_folder, write_npz

from mpmodel.core.data import DataError, readers


def test_npz_loads_and_normalises(tmp_path):
    d = readers.read_path(write_npz(tmp_path / "mnist.npz"))
    assert d.x_train.shape == (32, 784) and d.x_train.dtype == np.float32
    assert 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0
    assert d.y_test.dtype == np.int32 and d.source.startswith("npz:")


def test_npz_with_flat_float_images_in_unit_range(tmp_path):
    a = arrays()
    flat = (a["x_train"].reshape(32, 784) / 255.0).astype(np.float32)
    d = readers.read_path(write_npz(tmp_path / "m.npz", x_train=flat))
    np.testing.assert_allclose(d.x_train, flat)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_loads(tmp_path, gz):
    a = write_idx_folder(tmp_path / "idx", gz=gz)
    d = readers.read_path(tmp_path / "idx")
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
        readers.read_path(path)
    text = str(info.value)
    assert str(path) in text and message in text and "\n" not in text


def test_object_arrays_are_never_unpickled(tmp_path):
    path = tmp_path / "pickled.npz"
    a = arrays()
    a["y_train"] = np.array([object()] * 32, dtype=object)
    np.savez(path, **a)
    with pytest.raises(DataError, match="object \\(pickled\\) arrays"):
        readers.read_path(path)


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
        readers.read_path(path)


def test_truncated_npz(tmp_path):
    path = write_npz(tmp_path / "t.npz")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError) as info:
        readers.read_path(path)
    assert str(path) in str(info.value)


def test_zip_without_arrays(tmp_path):
    path = tmp_path / "empty.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(DataError, match="missing x_train, y_train, x_test, y_test"):
        readers.read_path(path)


def test_idx_wrong_magic(tmp_path):
    write_idx_folder(tmp_path / "idx")
    f = tmp_path / "idx" / "train-labels-idx1-ubyte"
    f.write_bytes((0x0999).to_bytes(4, "big") + f.read_bytes()[4:])
    with pytest.raises(DataError, match="magic number 0x00000999"):
        readers.read_path(tmp_path / "idx")


def test_idx_truncated_body(tmp_path):
    write_idx_folder(tmp_path / "idx")
    f = tmp_path / "idx" / "t10k-images-idx3-ubyte"
    f.write_bytes(f.read_bytes()[:-100])
    with pytest.raises(DataError, match="body has .* header promises"):
        readers.read_path(tmp_path / "idx")


def test_idx_missing_file(tmp_path):
    write_idx_folder(tmp_path / "idx")
    (tmp_path / "idx" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="missing t10k-labels-idx1-ubyte"):
        readers.read_path(tmp_path / "idx")




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
        readers.download_mnist()
    assert calls == [{"fname": "mnist.npz", "origin": readers.MNIST_URL, "file_hash": readers.MNIST_SHA256,
                      "cache_subdir": "datasets"}]
