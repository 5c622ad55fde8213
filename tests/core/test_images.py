"""32x32x3 images: CIFAR-10 batches read without running code, MNIST padded, the synthetic set."""

import os
import pickle

import numpy as np
import pytest
from mnist_files import write_cifar

from mpmodel.core.data import DataError
from mpmodel.core.data.images import read_cifar10, synthetic_images


def test_cifar10_batches_are_read_as_channels_last_images_in_0_1(tmp_path):
    data = read_cifar10(write_cifar(tmp_path / "cifar"))
    assert data.x_train.shape == (100, 32, 32, 3) and data.x_test.shape == (20, 32, 32, 3)
    assert data.x_train.dtype == np.float32 and 0 <= data.x_train.min() and data.x_train.max() <= 1


class Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_a_batch_that_would_run_code_is_refused_in_one_line(tmp_path):
    folder = write_cifar(tmp_path / "cifar")
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": Payload(), b"labels": []}))
    with pytest.raises(DataError, match=r"test_batch: not a CIFAR-10 batch \(UnpicklingError: refused (posix|os)\.system"):
        read_cifar10(folder)


def test_labels_outside_0_9_are_refused(tmp_path):
    with pytest.raises(DataError, match="labels in"):
        read_cifar10(write_cifar(tmp_path / "cifar", labels=[10] * 20))


def test_the_synthetic_set_is_not_trivial_a_distractor_patch_sits_beside_the_class_patch():
    data = synthetic_images(200, 50)
    assert data.source == "synthetic-images-v1[200+50]"
    # every image carries more than its class patch: no pixel statistics alone separate the classes
    means = [data.x_train[data.y_train == c].mean() for c in range(10) if np.any(data.y_train == c)]
    assert max(means) - min(means) < 0.01
