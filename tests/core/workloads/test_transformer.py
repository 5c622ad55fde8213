"""The transformer encoder: its projections and attention as the model builds them, FLOPs by hand, the task."""

import numpy as np

from mpmodel.core.data.sequences import MARKER, synthetic_sequences
from mpmodel.core.kernels import ATTENTION, flops
from mpmodel.core.workload import check_fits, check_workload, global_policy
from mpmodel.core.workloads.transformer import SIZES, TransformerEncoder

encoder = TransformerEncoder()
tiny = SIZES["tiny"]


def test_the_built_in_transformer_is_a_valid_workload():
    assert check_workload(encoder, "test") is encoder


def test_tiny_flops_by_hand():
    n, length, width, heads = 32, 8, 16, 2
    rows = n * length
    projections = 4 * 3 * (2 * rows * width * width)  # Q, K, V, output: forward, weight and input gradients
    mlp = 2 * 3 * (2 * rows * width * 4 * width)
    attention = 3 * (2 * 2 * n * heads * length * length * (width // heads))  # QK^T, AV; backward twice forward
    head = 3 * 2 * n * width * 10
    assert flops(encoder.step_kernels(tiny, n)) == projections + mlp + attention + head == 5_142_528


def test_the_kernels_match_the_models_weights():
    with global_policy("float32"):
        model = encoder.model(tiny, 0)
    attention_layers = [layer for layer in model.layers if type(layer).__name__ == "MultiHeadAttention"]
    assert len(attention_layers) == tiny.dims["blocks"]
    assert tuple(attention_layers[0]._query_dense.kernel.shape) == (16, 2, 8)  # width -> heads x head_dim
    kernels = encoder.step_kernels(tiny, 32)
    assert [k.shape for k in kernels if k.op == ATTENTION] == [(32, 2, 8, 8)]
    dense = [tuple(layer.kernel.shape) for layer in model.layers if type(layer).__name__ == "Dense"]
    assert dense == [(16, 64), (64, 16), (16, 10)]


def test_the_task_is_the_digit_after_the_marker_with_a_tenth_of_labels_redrawn():
    data = synthetic_sequences(2000, 10, length=8)
    at = np.argmax(data.x_train == MARKER, axis=1)
    assert np.all((data.x_train == MARKER).sum(axis=1) == 1) and np.all(at < 7)
    after = data.x_train[np.arange(2000), at + 1]
    assert 0.88 < np.mean(after == data.y_train) < 0.95  # 10% redrawn, a tenth of those to the same digit


def test_each_size_gets_sequences_of_its_own_length():
    for size in SIZES.values():
        data = encoder.data_for(size, "auto", offline=True)
        assert data.x_train.shape[1] == size.dims["length"]
    with global_policy("float32"):
        check_fits(encoder, encoder.synthetic_for(tiny, 64, 16), encoder.model(tiny, 0))


def test_a_mixed_policy_holds_less_in_a_step():
    f32, bf16 = (encoder.analytic_memory(SIZES["small"], p) for p in ("float32", "mixed_bfloat16"))
    assert f32.resting_bytes == bf16.resting_bytes and bf16.step_bytes < 0.75 * f32.step_bytes
