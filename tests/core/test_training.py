import dataclasses
import math
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile
from mpmodel.core.training import FitResult, TrainingStep, evaluation_batch, fit_recipe, split_validation

SMALL = get_profile("small")
TINY = dataclasses.replace(SMALL, size=dataclasses.replace(SMALL.size, name="tiny", dims={"units": 64}, batch_size=256,
                                                           epochs=2))


@pytest.fixture(scope="module")
def tiny_data():
    return synthetic_mnist(2048, 512)


def test_split_validation_takes_the_tail_like_keras():
    x, y = np.arange(10), np.arange(10)
    (xf, _), (xv, yv) = split_validation(x, y, 0.2)
    assert xf.tolist() == list(range(8)) and xv.tolist() == [8, 9] and yv.tolist() == [8, 9]


def test_training_step_returns_a_host_loss_and_cycles_batches(tiny_data):
    step = TrainingStep(build_model("mixed_bfloat16", TINY), tiny_data, TINY.batch_size, n_batches=3)
    losses = [step() for _ in range(4)]
    assert all(isinstance(v, float) and math.isfinite(v) for v in losses)
    assert len(step.batches) == 3 and step._next == 1
    assert tuple(step.batches[0][0].shape) == (TINY.batch_size, 784)


def test_training_step_refuses_a_set_smaller_than_a_batch(tiny_data):
    with pytest.raises(ValueError, match="fewer than one batch"):
        TrainingStep(build_model("float32", TINY), tiny_data, 4096)


@pytest.mark.fit
def test_fit_recipe_is_reproducible_and_learns(tiny_data):
    runs = [fit_recipe(build_model("float32", TINY, seed=1), tiny_data, TINY, order_seed=5) for _ in range(2)]
    assert runs[0].losses == pytest.approx(runs[1].losses, rel=1e-4)
    assert len(runs[0].losses) == TINY.epochs == len(runs[0].val_losses)
    assert runs[0].finite and runs[0].test_accuracy > 0.2  # well above chance after 2 tiny epochs


@pytest.mark.fit
def test_fit_recipe_records_the_loss_scale_for_float16(tiny_data):
    result = fit_recipe(build_model("mixed_float16", TINY), tiny_data, TINY, order_seed=0)
    assert len(result.loss_scales) == TINY.epochs and result.final_loss_scale > 0


def test_fit_result_flags_nonfinite_losses():
    assert not FitResult(0.9, 0.3, losses=[1.0, float("nan")]).finite
    assert not FitResult(0.9, float("inf")).finite
    assert FitResult(0.9, 0.3, losses=[1.0], val_losses=[0.5]).finite


@pytest.mark.fit
def test_float16_overflow_gives_a_nonfinite_fit_with_its_loss_scale_history(tiny_data):
    """A planted overflow: first-layer weights 1e5 times too large push float16 activations past
    65504. The loss goes NaN, the loss scale falls, and the accuracy gate fails saying so."""
    from mpmodel.measure.gates import AccuracyComparison, accuracy_verdict, nonfinite_report

    model = build_model("mixed_float16", TINY, seed=0)
    dense = next(layer for layer in model.layers if hasattr(layer, "kernel"))
    dense.kernel.assign(keras.ops.convert_to_numpy(dense.kernel) * 1e5)
    fit = fit_recipe(model, tiny_data, TINY, order_seed=0)
    assert not fit.finite and fit.loss_scales[-1] < fit.loss_scales[0]
    report = nonfinite_report("mixed_float16 seed 0", fit)
    verdict = accuracy_verdict("mixed_float16", AccuracyComparison([0], [0.9], [fit.test_accuracy]), 0.15, report)
    assert not verdict.passed
    for part in ("non-finite loss", "loss by epoch [nan", "loss scale by epoch [", "float16 gradients overflowed"):
        assert part in verdict.message


@pytest.mark.parametrize("n_val, n_test, batch, expected", [
    (12000, 10000, 8192, 2000),  # the seed: 4 evaluation shapes become 1
    (12000, 10000, 2048, 2000),  # small
    (12000, 10000, 128, 125),  # tiny
    (1200, 1000, 128, 100),
    (7, 5, 1, 1),
])
def test_evaluation_batch_splits_validation_and_test_evenly(n_val, n_test, batch, expected):
    got = evaluation_batch(n_val, n_test, batch)
    assert got == expected and n_val % got == 0 and n_test % got == 0 and got <= batch


@pytest.mark.parametrize("n_val, n_test, batch", [(12000, 9999, 2048), (7, 5, 16)])
def test_a_tiny_even_batch_falls_back_to_the_training_batch(n_val, n_test, batch):
    assert evaluation_batch(n_val, n_test, batch) == batch  # 12000 and 9999 share only 3: 4000 calls an epoch


@pytest.mark.fit
def test_fit_recipe_reports_progress_after_each_epoch(tiny_data):
    seen = []
    fit_recipe(build_model("float32", TINY), tiny_data, TINY, order_seed=0,
               progress=lambda done, epochs: seen.append((done, epochs)))
    assert seen == [(e, TINY.epochs) for e in range(1, TINY.epochs + 1)]


COMPILES = """
import sys
import jax
from mpmodel.core import training
from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile

compiles = []
jax.monitoring.register_event_duration_secs_listener(
    lambda event, seconds, **kw: compiles.append(event) if event == "/jax/core/compile/backend_compile_duration" else None)
if sys.argv[1] == "training-batches":
    training.evaluation_batch = lambda n_validation, n_test, batch_size: batch_size
profile = get_profile("tiny")
data = synthetic_mnist(1000, 1000)  # validation 200 = 128 + 72, test 1000 = 7 x 128 + 104: evenly, batches of 100
model = build_model("mixed_bfloat16", profile)
assert model.jit_compile
before = len(compiles)
training.fit_recipe(model, data, profile, order_seed=0)
print(len(compiles) - before)
"""


@pytest.mark.framework
def test_under_xla_evaluation_compiles_one_batch_shape():
    pytest.importorskip("jax", reason="JAX is not installed in this environment")
    env = {**os.environ, "KERAS_BACKEND": "jax"}

    def compiles(mode):  # a fresh process each: XLA's in-process cache would hide the second's compiles
        proc = subprocess.run([sys.executable, "-c", COMPILES, mode], env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return int(proc.stdout.split()[-1])

    # evaluation in one shape (100) instead of three (128, 72, 104): two programs fewer
    assert compiles("even") == compiles("training-batches") - 2
