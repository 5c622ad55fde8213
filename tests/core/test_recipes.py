"""Fit recipes: the seed's constant rate and the decay recipe's cosine to zero, applied to a fresh model."""

import dataclasses

import keras
import pytest

from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile
from mpmodel.core.recipes import GATE_RECIPE, SEED_LEARNING_RATE, SEED_RECIPE, apply_recipe, fit_steps, get_recipe
from mpmodel.core.training import fit_recipe

SMALL = get_profile("small")
TINY = dataclasses.replace(SMALL, size=dataclasses.replace(SMALL.size, name="tiny", dims={"units": 32}, batch_size=256,
                                                           epochs=2))


def lr_at(schedule, step):
    return float(keras.ops.convert_to_numpy(schedule(step)))


def test_the_decay_recipe_starts_at_the_seeds_rate_and_reaches_zero_at_the_last_step():
    schedule = GATE_RECIPE.learning_rate(120)
    assert lr_at(schedule, 0) == pytest.approx(SEED_LEARNING_RATE)
    assert lr_at(schedule, 60) == pytest.approx(SEED_LEARNING_RATE / 2, rel=1e-3)  # a cosine: half way, half the rate
    assert lr_at(schedule, 120) == pytest.approx(0.0, abs=1e-12)
    assert SEED_RECIPE.learning_rate(120) == SEED_LEARNING_RATE


def test_a_workload_with_its_own_rate_decays_from_it():
    schedule = GATE_RECIPE.learning_rate(120, base=0.01)
    assert lr_at(schedule, 0) == pytest.approx(0.01) and lr_at(schedule, 120) == pytest.approx(0.0, abs=1e-12)
    assert SEED_RECIPE.learning_rate(120, base=0.01) == 0.01


def test_fit_steps_count_the_last_partial_batch():
    assert fit_steps(48000, 2048, 5) == 5 * 24  # 23 full batches and one of 896
    assert fit_steps(4096, 2048, 1) == 2


@pytest.mark.fit
@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])  # float16 wraps the optimizer in loss scaling
def test_a_decay_fit_ends_with_the_rate_at_zero_and_the_seed_fit_at_its_default(policy):
    data = synthetic_mnist(1280, 256)  # 1024 to fit: 4 steps an epoch, 8 in all
    decayed, constant = build_model(policy, TINY, seed=1), build_model(policy, TINY, seed=1)
    fit_recipe(decayed, data, TINY, order_seed=0, recipe=GATE_RECIPE)
    fit_recipe(constant, data, TINY, order_seed=0, recipe=SEED_RECIPE)
    assert float(keras.ops.convert_to_numpy(decayed.optimizer.learning_rate)) == pytest.approx(0.0, abs=1e-12)
    assert float(keras.ops.convert_to_numpy(constant.optimizer.learning_rate)) == pytest.approx(SEED_LEARNING_RATE)


@pytest.mark.fit
def test_a_recipe_applies_to_a_fresh_model_only():
    data = synthetic_mnist(1280, 256)
    model = build_model("float32", TINY)
    fit_recipe(model, data, TINY, order_seed=0)
    with pytest.raises(ValueError, match="already trained"):
        apply_recipe(model, GATE_RECIPE, 8)


def test_unknown_recipe_names_the_valid_ones():
    assert get_recipe("decay") is GATE_RECIPE
    with pytest.raises(ValueError, match="unknown recipe 'cosine'; valid recipes: seed, decay"):
        get_recipe("cosine")
