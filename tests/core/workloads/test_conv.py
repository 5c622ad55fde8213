"""The residual convnet: its layers as the model builds them, FLOPs by hand, analytic memory, data sources."""

import numpy as np
import pytest

from mpmodel.core.data import DataError
from mpmodel.core.data.images import IMAGE_SHAPE
from mpmodel.core.kernels import CONV, MATMUL, flops
from mpmodel.core.workload import check_fits, check_workload, global_policy
from mpmodel.core.workloads.conv import SIZES, ResidualConvNet, layers

conv_net = ResidualConvNet()
tiny = SIZES["tiny"]


def test_the_built_in_conv_workload_is_a_valid_workload():
    assert check_workload(conv_net, "test") is conv_net


def test_the_kernels_are_the_models_convolutions_in_order():
    with global_policy("float32"):
        model = conv_net.model(tiny, 0)
    built = [(layer.name, tuple(layer.kernel.shape)) for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert built == [(name, (k, k, c_in, c_out)) for name, _, c_in, c_out, k in layers(tiny)]
    kernels = conv_net.step_kernels(tiny, tiny.batch_size)
    assert [k.op for k in kernels] == [CONV] * len(built) + [MATMUL] * 3


def test_tiny_flops_by_hand():
    n = 32  # tiny's batch; width 4, one block a stage
    stem = 2 * n * 32 * 32 * 9 * 3 * 4 * 2  # forward and weight gradient, no input gradient
    stage = 2 * (2 * n * 32 * 32 * 9 * 4 * 4 * 3)  # two 3x3 convolutions, three passes each; every stage the same
    transition = 2 * n * 16 * 16 * 4 * 8 * 3  # 1x1, 4 -> 8 at 16x16 (and 8 -> 16 at 8x8: the same count)
    head = 3 * 2 * n * 16 * 10
    assert flops(conv_net.step_kernels(tiny, n)) == stem + 3 * stage + 2 * transition + head == 187_201_536


def test_a_mixed_policy_holds_less_in_a_step_and_the_same_at_rest():
    f32, bf16 = (conv_net.analytic_memory(SIZES["small"], p) for p in ("float32", "mixed_bfloat16"))
    assert f32.resting_bytes == bf16.resting_bytes
    assert 0.4 < bf16.step_bytes / f32.step_bytes < 0.7


def test_the_synthetic_images_fit_the_model_and_are_deterministic():
    a, b = conv_net.synthetic(64, 16), conv_net.synthetic(64, 16)
    assert a.x_train.shape == (64, *IMAGE_SHAPE) and a.x_train.dtype == np.float32
    assert np.array_equal(a.x_train, b.x_train) and set(np.unique(a.y_train)) <= set(range(10))
    assert 0.0 <= a.x_train.min() and a.x_train.max() <= 1.0
    with global_policy("float32"):
        check_fits(conv_net, a, conv_net.model(tiny, 0))


def test_mnist_format_files_are_padded_to_32x32x3(tmp_path):
    from tests.mnist_files import write_npz  # noqa: PLC0415

    path = write_npz(tmp_path / "mnist.npz")
    data = conv_net.data(str(path), offline=True)
    assert data.x_train.shape[1:] == IMAGE_SHAPE and "as 32x32x3" in data.source
    assert np.all(data.x_train[:, :2] == 0) and np.array_equal(data.x_train[..., 0], data.x_train[..., 2])


def test_cifar10_asked_for_and_absent_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(DataError, match="cifar10: no CIFAR-10 at .*cifar-10-batches-py"):
        conv_net.data("cifar10", offline=True)
    assert "fallback: no CIFAR-10" in conv_net.data("auto", offline=True).note
