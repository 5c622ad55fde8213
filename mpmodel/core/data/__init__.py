"""MNIST-shaped data: from a file, Keras's cache or download, or a synthetic set.

`load_data(spec)` tries, in order, what `spec` allows: a path (a Keras-format `mnist.npz`
or a folder with the four original IDX files, gzipped or not), Keras's cached `mnist.npz`,
Keras's download, then a deterministic synthetic set. Whatever is loaded is validated and
returned as float32 images of shape (N, 784) in [0, 1] and int32 labels 0-9. Nothing is
ever unpickled.

Modules: `dataset` (the result type), `validation`, `readers` (files, Keras's cache and download),
`synthetic` (the generator) and `sources` (which one `load_data` takes); for the other built-in workloads,
`images` (32x32x3: synthetic, CIFAR-10, MNIST padded) and `sequences` (the transformer's synthetic task).
"""

from mpmodel.core.data.dataset import DataError, Dataset, NotThisWorkloads
from mpmodel.core.data.sources import load_data

__all__ = ["DataError", "Dataset", "NotThisWorkloads", "load_data"]
