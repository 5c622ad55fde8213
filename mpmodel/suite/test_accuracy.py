"""Accuracy: the mixed policy against float32, same initial weights, same data order.

For each seed, float32 and the mixed policy train from the weights that seed gives, on the data order that
seed gives (validation_split=0.2, the profile's batch and epochs), then evaluate on the test set.

- `test_accuracy` is the gate. It trains with the decay recipe (mpmodel.core.recipes: the seed's fit with
  the learning rate decayed to zero), whose runs end where training settled, and passes when the 95% lower
  confidence bound of the mean paired delta (mixed minus float32) lies above -`--mp-accuracy-tol`: a
  non-inferiority test, so too few or too scattered seeds fail to show the drop is small rather than pass.
- `test_seed_recipe_accuracy` trains with the seed's own recipe and reports its deltas: its runs land up to
  14 points apart from the same weights, too far apart to judge a point; it fails on a NaN/inf loss only.

Both fail on any NaN or infinite loss. Each epoch prints a progress line with the time left. Where the
mixed policy's matmuls run at under a tenth of float32's (PyTorch bf16 on a CPU without AVX-512), its fits
are skipped with the measured reason and the time they would take, unless --mp-slow-policies asks for them.
pytest-benchmark times the mixed policy's training runs (one round per seed).
"""

import numpy as np
import pytest

from mpmodel.core.model import build_model
from mpmodel.core.policies import BASELINE
from mpmodel.core.recipes import GATE_RECIPE, SEED_RECIPE
from mpmodel.core.training import fit_recipe
from mpmodel.measure.gates import (
    AccuracyComparison,
    accuracy_verdict,
    chance_accuracy,
    nonfinite_report,
    not_learned,
    seed_recipe_report,
)
from mpmodel.measure.progress import FIT_LINE_EVERY_S, FitProgress
from mpmodel.measure.results import AccuracyBound, AccuracyDelta, PairedFitsResult


@pytest.fixture
def float32_fit(mp_run, jit, fp32):
    """float32 runs of a recipe, trained once per recipe, seed, compile mode and float32 variant, shared by
    both mixed policies. `fit(recipe, seed, progress)`; `fit.pending(recipe, seeds)` counts those not trained yet."""
    def key(recipe, seed):
        return (recipe.name, seed, mp_run.key(BASELINE, jit, fp32))

    def fit(recipe, seed, progress=None):
        if key(recipe, seed) not in mp_run.float32_fits:
            with mp_run.float32_matmuls(fp32):
                model = build_model(BASELINE, mp_run.profile, seed=seed, jit=jit)
                mp_run.float32_fits[key(recipe, seed)] = fit_recipe(
                    model, mp_run.data, mp_run.profile, order_seed=seed, recipe=recipe,
                    progress=progress and progress.fit(f"float32 ({recipe.name})", seed))
        return mp_run.float32_fits[key(recipe, seed)]

    fit.pending = lambda recipe, seeds: sum(key(recipe, s) not in mp_run.float32_fits for s in seeds)
    return fit


def paired_fits(benchmark, mp_run, test, recipe, key, float32_fit):
    """Train float32 and `mixed_policy` on the test's seeds with `recipe`, the mixed fits timed by
    pytest-benchmark; return (comparison, non-finite report, extra_info for the saved result, each float32 fit's
    training loss by epoch)."""
    profile, data = mp_run.profile, mp_run.data
    mixed_policy, jit, fp32 = key.policy, key.jit, key.fp32
    mp_run.stop_if_not_running(benchmark, key)
    mp_run.skip_if_crawling(benchmark, test, key)
    seeds = list(range(mp_run.fit_seeds(test)))
    if not seeds:
        why = ("0 seeds asked (--mp-seed-recipe-seeds 0)" if mp_run.settings.seed_recipe_seeds == 0 else
               f"workload {profile.workload.name} fits the seed document's constant-rate recipe only where asked "
               "(--mp-seed-recipe-seeds N)")
        pytest.skip(f"{test}: {why}, so the {recipe.name} recipe is not measured")
    progress = FitProgress(mp_run.say, len(seeds) + float32_fit.pending(recipe, seeds), profile.epochs,
                           every_s=0.0 if mp_run.session.verbose else FIT_LINE_EVERY_S)
    baselines = {seed: float32_fit(recipe, seed, progress) for seed in seeds}
    mixed, models, tf32 = {}, {}, {}
    pending = iter(seeds)

    def next_seed():
        return (next(pending),), {}

    def train(seed):
        with mp_run.float32_matmuls(fp32):
            models[seed] = build_model(mixed_policy, profile, seed=seed, jit=jit)
            mixed[seed] = fit_recipe(models[seed], data, profile, order_seed=seed, recipe=recipe,
                                     progress=progress.fit(f"{mixed_policy} ({recipe.name})", seed))
            tf32[seed] = mp_run.tf32()  # the state this fit ran under: the variant's, not the default restored after

    benchmark.pedantic(train, setup=next_seed, rounds=len(seeds), iterations=1)
    for seed in seeds:  # under --benchmark-disable only the first seed ran
        if seed not in mixed:
            train(seed)

    comparison = AccuracyComparison(seeds, [baselines[s].test_accuracy for s in seeds],
                                    [mixed[s].test_accuracy for s in seeds], recipe.name)
    nonfinite = [line for s in seeds for line in
                 nonfinite_report(f"float32 seed {s}", baselines[s]) + nonfinite_report(f"{mixed_policy} seed {s}", mixed[s])]
    last = mixed[seeds[-1]]
    info = {**mp_run.result_info(key, models[seeds[-1]], tf32=tf32[seeds[-1]]), **PairedFitsResult(
        seeds, recipe.name, float(np.median(comparison.mixed_accuracy)), float(np.median(comparison.float32_accuracy)),
        comparison.deltas.tolist(), comparison.spread, comparison.mixed_accuracy, comparison.float32_accuracy,
        float(np.median([mixed[s].test_loss for s in seeds])), float(np.median([baselines[s].test_loss for s in seeds])),
        last.final_loss_scale).fields()}
    return comparison, nonfinite, info, [baselines[s].losses for s in seeds]


def test_accuracy(benchmark, mp_run, jit, fp32, mixed_policy, float32_fit):
    comparison, nonfinite, info, float32_losses = paired_fits(benchmark, mp_run, "test_accuracy", GATE_RECIPE,
                                                              mp_run.key(mixed_policy, jit, fp32), float32_fit)
    tolerance = mp_run.accuracy_tol
    learned = not_learned(comparison.float32_accuracy, float32_losses, tolerance,
                          chance_accuracy(mp_run.data.y_test), mp_run.profile.workload.min_float32_accuracy)
    verdict = accuracy_verdict(mixed_policy, comparison, tolerance, nonfinite,
                               harness_check=mp_run.profile.harness_check, data_source=mp_run.data.source,
                               float32_not_learned=learned)
    bound = comparison.bound()
    benchmark.extra_info.update({**info, **AccuracyBound(
        tolerance, bound.value if bound else comparison.median_delta, bound.low if bound else None,
        bound.confidence if bound else None).fields()})
    mp_run.conclude(benchmark, verdict)


def test_seed_recipe_accuracy(benchmark, mp_run, jit, fp32, mixed_policy, float32_fit):
    comparison, nonfinite, info, _ = paired_fits(benchmark, mp_run, "test_seed_recipe_accuracy", SEED_RECIPE,
                                                 mp_run.key(mixed_policy, jit, fp32), float32_fit)
    verdict = seed_recipe_report(mixed_policy, comparison, nonfinite)
    benchmark.extra_info.update({**info, **AccuracyDelta(comparison.median_delta).fields()})
    mp_run.conclude(benchmark, verdict)
