"""Fit recipes: how the accuracy runs train, beyond the model and the profile's sizes.

`seed` is the seed document's fit: RMSprop at its default rate (0.001) for every step. Its last steps
still move the weights a lot, so two runs from the same weights land up to 14 points apart, too far apart
to see a one-point loss. `decay` keeps the seed's model, optimizer, batch and epochs and decays the
learning rate to zero along a cosine over the fit's steps, so every run ends where its training settled:
the recipe the accuracy gate decides on (docs/gates.md, "Accuracy").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SEED_LEARNING_RATE = 0.001  # RMSprop's default, which the seed's recipe uses


@dataclass(frozen=True)
class Recipe:
    """A learning-rate plan for the fit; `decays` to zero over the fit's steps or stays constant."""

    name: str
    decays: bool
    description: str

    def learning_rate(self, total_steps: int, base: float = SEED_LEARNING_RATE):
        """The optimizer's learning rate for a fit of `total_steps` steps, starting at `base` (the workload's
        optimizer's own rate; the seed's RMSprop's 0.001): a float or a schedule."""
        if not self.decays:
            return base
        import keras  # noqa: PLC0415 (the backend: the history tools name recipes without loading one)

        return keras.optimizers.schedules.CosineDecay(base, decay_steps=max(1, total_steps), alpha=0.0)


RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe("seed", False, "the seed's fit: RMSprop at 0.001 throughout"),
        Recipe("decay", True, "the seed's fit with the learning rate decayed to zero along a cosine"),
    )
}
SEED_RECIPE, GATE_RECIPE = RECIPES["seed"], RECIPES["decay"]


def get_recipe(name: str) -> Recipe:
    """The recipe called `name`; ValueError listing the valid names otherwise."""
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; valid recipes: {', '.join(RECIPES)}") from None


def fit_steps(n_fit: int, batch_size: int, epochs: int) -> int:
    """Optimizer steps a fit takes: Keras trains on the last, partial batch too."""
    return epochs * math.ceil(n_fit / batch_size)


def apply_recipe(model, recipe: Recipe, total_steps: int, base: float = SEED_LEARNING_RATE) -> None:
    """Give the compiled, untrained `model`'s optimizer the recipe's learning rate from `base` (the workload's
    optimizer's own; the loss-scale optimizer passes it to the one it wraps). Refused once the optimizer has
    stepped: the schedule counts from 0."""
    import keras  # noqa: PLC0415 (the backend, loaded where a model already has)

    optimizer = model.optimizer
    if optimizer.built and int(keras.ops.convert_to_numpy(optimizer.iterations)) > 0:
        raise ValueError(f"recipe {recipe.name!r}: the model has already trained; a recipe applies to a fresh model")
    if recipe.decays:
        optimizer.learning_rate = recipe.learning_rate(total_steps, base)
