"""Choosing a data source: a path, Keras's cache, Keras's download, or the synthetic set."""

from __future__ import annotations

import dataclasses

from mpmodel.core.data.dataset import DataError, Dataset
from mpmodel.core.data.readers import download_mnist, keras_cache_path, read_npz_as, read_path
from mpmodel.core.data.synthetic import VARIANTS, synthetic_mnist

SPECIAL_SPECS = ("auto", "mnist", *VARIANTS)


def load_data(spec: str = "auto", offline: bool = False) -> Dataset:
    """The first source that works for `spec`.

    auto: Keras cache, Keras download, synthetic. mnist: Keras cache or download, else
    DataError. synthetic: the synthetic set; synthetic-hard: its variant whose errors lie near class
    boundaries (a real set's run-to-run spread). Anything else: a path, which must load.
    `offline` drops the download, the only source that touches the network.
    """
    if spec in VARIANTS:
        return synthetic_mnist(variant=spec)
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
