"""Which source load_data takes for each spec: synthetic, a path, Keras's cache, the fallback."""

import pytest
from mnist_files import write_npz

from mpmodel.core.data import DataError, readers, sources


@pytest.mark.framework
def test_load_data_specs(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def offline():
        raise DataError("Keras MNIST download failed: no network")

    monkeypatch.setattr(sources, "download_mnist", offline)
    assert sources.load_data("synthetic").source == "synthetic-v1"
    assert sources.load_data("synthetic-hard").source == "synthetic-hard-v1"
    fallback = sources.load_data("auto")  # no cache, no download
    assert fallback.source == "synthetic-v1" and fallback.note.startswith("fallback: no MNIST at")
    with pytest.raises(DataError, match="^mnist: no real MNIST"):
        sources.load_data("mnist")
    write_npz(tmp_path / "given.npz")
    assert sources.load_data(str(tmp_path / "given.npz")).source.startswith("npz:")
    cache = readers.keras_cache_path()
    cache.parent.mkdir(parents=True)
    write_npz(cache)
    assert sources.load_data("auto").source == f"keras-cache:{cache}"
    assert sources.load_data("mnist").source == f"keras-cache:{cache}"

