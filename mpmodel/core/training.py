"""Running the model: training steps to time, and the seed's fit recipe.

`TrainingStep` prepares full-size batches as backend tensors once, so that timing measures the
steps only: `run(k)` runs k steps back to back with one host sync (mpmodel.core.multi_step),
a call runs one `train_on_batch` (host overhead and sync included). `fit_recipe` trains as the seed does (validation_split=0.2,
batch and epochs from the profile) with a data order fixed by a seed, so two policies
can be trained from the same weights on the same order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np

from mpmodel.core.data import Dataset
from mpmodel.core.model import loss_scale
from mpmodel.core.multi_step import multi_step_runner
from mpmodel.core.profiles import Profile
from mpmodel.core.recipes import SEED_RECIPE, Recipe, apply_recipe, fit_steps


class TrainingStep:
    """Full-size training steps on batches prepared ahead of time.

    `run(k)` and a call both return host numbers, so the steps have finished on the device when
    they return.
    """

    def __init__(self, model, data: Dataset, batch_size: int, n_batches: int = 4):
        if data.x_train.shape[0] < batch_size:
            raise ValueError(f"{data.source}: {data.x_train.shape[0]} training images, fewer than one batch of {batch_size}")
        n_batches = max(1, min(n_batches, data.x_train.shape[0] // batch_size))
        self.model = model
        self.batch_size = batch_size
        self.batches = [
            (keras.ops.convert_to_tensor(data.x_train[i * batch_size:(i + 1) * batch_size]),
             keras.ops.convert_to_tensor(data.y_train[i * batch_size:(i + 1) * batch_size]))
            for i in range(n_batches)
        ]
        self._next = 0
        self._rounds = None  # (run(k), harness name), built on first use

    @property
    def harness(self) -> str:
        return self._multi()[1]

    def _multi(self):
        if self._rounds is None:
            self._rounds = multi_step_runner(self.model, self.batches)
        return self._rounds

    def run(self, steps: int) -> float:
        """Run `steps` steps back to back with one host sync at the end; return the last loss."""
        return self._multi()[0](steps)

    def __call__(self) -> float:
        """Run one step; return its loss (a host float)."""
        x, y = self.batches[self._next]
        self._next = (self._next + 1) % len(self.batches)
        loss, _accuracy = self.model.train_on_batch(x, y)
        return float(loss)

@dataclass
class FitResult:
    """What one run of the fit recipe ended with."""

    test_accuracy: float
    test_loss: float
    losses: list[float] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    loss_scales: list[float | None] = field(default_factory=list)

    @property
    def finite(self) -> bool:
        values = [self.test_loss, *self.losses, *self.val_losses]
        return all(math.isfinite(v) for v in values)

    @property
    def final_loss_scale(self) -> float | None:
        return self.loss_scales[-1] if self.loss_scales else None


def split_validation(x: np.ndarray, y: np.ndarray, fraction: float):
    """Keras's validation_split: the last `fraction` of the arrays, taken before shuffling."""
    cut = int(x.shape[0] * (1.0 - fraction))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


EVEN_BATCH_MIN_SHARE = 8  # an even batch under batch_size / 8 costs more in calls than it saves in compiles


def evaluation_batch(n_validation: int, n_test: int, batch_size: int) -> int:
    """The largest batch, at most `batch_size`, that splits both the validation and the test set evenly;
    `batch_size` itself where that batch would be tiny (sets of coprime sizes: 12000 and 9999 share 3).

    Under XLA each distinct batch shape compiles anew: with the seed's sizes, validation (12000 = 8192 +
    3808) and test (10000 = 8192 + 1808) would compile four evaluation shapes, one batch of 2000 compiles
    one. Evaluation results do not depend on the batch (sums over samples), up to float rounding."""
    common = math.gcd(n_validation, n_test) or max(n_validation, n_test, 1)
    even = max(d for d in range(1, min(common, batch_size) + 1) if common % d == 0)
    return even if even * EVEN_BATCH_MIN_SHARE >= batch_size else batch_size


def fit_recipe(model, data: Dataset, profile: Profile, order_seed: int,
               progress: Callable[[int, int], None] | None = None, recipe: Recipe = SEED_RECIPE) -> FitResult:
    """Train as the seed does, reshuffling every epoch with a permutation drawn from `order_seed`, the
    learning rate as `recipe` plans it (mpmodel.core.recipes); `progress(epochs done, epochs)` after each epoch."""
    (x_fit, y_fit), validation = split_validation(data.x_train, data.y_train, profile.validation_split)
    apply_recipe(model, recipe, fit_steps(x_fit.shape[0], profile.batch_size, profile.epochs),
                 profile.workload.learning_rate)
    eval_batch = evaluation_batch(validation[0].shape[0], data.x_test.shape[0], profile.batch_size)
    rng = np.random.default_rng(order_seed)
    result = FitResult(test_accuracy=float("nan"), test_loss=float("nan"))
    for epoch in range(profile.epochs):
        order = rng.permutation(x_fit.shape[0])
        history = model.fit(
            x_fit[order], y_fit[order], batch_size=profile.batch_size, epochs=epoch + 1,
            initial_epoch=epoch, shuffle=False, validation_data=validation, validation_batch_size=eval_batch, verbose=0,
        )
        result.losses.extend(float(v) for v in history.history["loss"])
        result.val_losses.extend(float(v) for v in history.history["val_loss"])
        result.loss_scales.append(loss_scale(model))
        if progress is not None:
            progress(epoch + 1, profile.epochs)
    result.test_loss, result.test_accuracy = evaluate_test(model, data, eval_batch)
    return result


def evaluate_test(model, data: Dataset, batch_size: int) -> tuple[float, float]:
    """The trained model's (loss, accuracy) on the test set."""
    loss, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=batch_size, verbose=0)
    return float(loss), float(accuracy)
