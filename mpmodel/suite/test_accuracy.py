"""Accuracy: the mixed policy against float32, same initial weights, same data order.

For each seed, float32 and the mixed policy train from the weights that seed gives, on the data order that
seed gives (validation_split=0.2, the profile's batch and epochs), then evaluate on the test set.

- `test_accuracy` is the gate. It trains with the decay recipe (mpmodel.core.recipes: the seed's fit with
  the learning rate decayed to zero), whose runs end where training settled, and passes when the 95% lower
  confidence bound of the mean paired delta (mixed minus float32) lies above -`--mp-accuracy-tol`: a
  non-inferiority test, so too few or too scattered seeds fail to show the drop is small rather than pass.
  Under the sequential design (--mp-design, the default) it looks after 2 seeds and stops once the verdict
  cannot change (measure.sequential), up to the profile's count.
- `test_seed_recipe_accuracy` trains with the seed's own recipe and reports its deltas: its runs land up to
  14 points apart from the same weights, too far apart to judge a point; it fails on a NaN/inf loss only.

Both fail on any NaN or infinite loss. Each epoch prints a progress line with the time left. Where the
mixed policy's matmuls run at under a tenth of float32's (PyTorch bf16 on a CPU without AVX-512), its fits
are skipped with the measured reason and the time they would take, unless --mp-slow-policies asks for them.
pytest-benchmark times the mixed policy's training runs (one round per seed).
"""

import time

import numpy as np
import pytest

from mpmodel.core.model import build_model
from mpmodel.core.policies import BASELINE
from mpmodel.core.recipes import GATE_RECIPE, SEED_RECIPE
from mpmodel.core.training import fit_recipe
from mpmodel.measure.budget import NO_CUTS
from mpmodel.measure.gates import (
    AccuracyComparison,
    accuracy_verdict,
    chance_accuracy,
    nonfinite_report,
    not_learned,
    seed_recipe_report,
)
from mpmodel.measure.looks import accuracy_design
from mpmodel.measure.progress import FIT_LINE_EVERY_S, FitProgress
from mpmodel.measure.results import AccuracyBound, AccuracyDelta, PairedFitsResult
from mpmodel.measure.sequential import run as run_design
from mpmodel.plugin.benchmark_session import add_round


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


class PairedFits:
    """float32 and a mixed policy trained on seeds 0, 1, ... with one recipe, as many as each look asks for
    (`measure(count)`), the mixed fits timed by pytest-benchmark: the first look's in its pedantic rounds, each
    later one added as a round."""

    def __init__(self, benchmark, mp_run, recipe, key, float32_fit, maximum: int):
        self.benchmark, self.mp_run, self.recipe, self.key, self.float32_fit = benchmark, mp_run, recipe, key, float32_fit
        self.maximum = maximum
        self.float32, self.mixed, self.models, self.tf32 = {}, {}, {}, {}
        self.progress = FitProgress(mp_run.say, maximum + float32_fit.pending(recipe, range(maximum)),
                                    mp_run.profile.epochs, every_s=0.0 if mp_run.session.verbose else FIT_LINE_EVERY_S)

    def train(self, seed):
        mp_run, profile = self.mp_run, self.mp_run.profile
        with mp_run.float32_matmuls(self.key.fp32):
            self.models[seed] = build_model(self.key.policy, profile, seed=seed, jit=self.key.jit)
            self.mixed[seed] = fit_recipe(self.models[seed], mp_run.data, profile, order_seed=seed, recipe=self.recipe,
                                          progress=self.progress.fit(f"{self.key.policy} ({self.recipe.name})", seed))
            self.tf32[seed] = mp_run.tf32()  # the state this fit ran under: the variant's, not the default restored after

    def measure(self, count: int) -> None:
        new = [seed for seed in range(count) if seed not in self.mixed]
        for seed in new:
            self.float32[seed] = self.float32_fit(self.recipe, seed, self.progress)
        if not self.mixed:
            pending = iter(new)
            self.benchmark.pedantic(self.train, setup=lambda: ((next(pending),), {}), rounds=len(new), iterations=1)
        for seed in new:  # a later look's seeds (and under --benchmark-disable, all but the first)
            if seed not in self.mixed:
                start = time.perf_counter()
                self.train(seed)
                add_round(self.benchmark, time.perf_counter() - start)

    def comparison(self, count: int) -> AccuracyComparison:
        seeds = list(range(count))
        return AccuracyComparison(seeds, [self.float32[s].test_accuracy for s in seeds],
                                  [self.mixed[s].test_accuracy for s in seeds], self.recipe.name,
                                  resolution=1.0 / len(self.mp_run.data.y_test))

    def nonfinite(self, count: int) -> list[str]:
        return [line for s in range(count) for line in nonfinite_report(f"float32 seed {s}", self.float32[s]) +
                nonfinite_report(f"{self.key.policy} seed {s}", self.mixed[s])]

    def float32_losses(self, count: int) -> list[list[float]]:
        return [self.float32[s].losses for s in range(count)]

    def info(self, count: int) -> dict:
        """The saved result's fields for the first `count` seeds."""
        comparison, seeds, last = self.comparison(count), list(range(count)), count - 1
        return {**self.mp_run.result_info(self.key, self.models[last], tf32=self.tf32[last]), **PairedFitsResult(
            seeds, self.recipe.name, float(np.median(comparison.mixed_accuracy)),
            float(np.median(comparison.float32_accuracy)), comparison.deltas.tolist(), comparison.spread,
            comparison.mixed_accuracy, comparison.float32_accuracy,
            float(np.median([self.mixed[s].test_loss for s in seeds])),
            float(np.median([self.float32[s].test_loss for s in seeds])), self.mixed[last].final_loss_scale).fields()}


def paired_fits(benchmark, mp_run, test, recipe, key, float32_fit) -> PairedFits:
    """The test's paired fits, none trained yet; skipped (saying why) where the policy crawls here or no seed is
    asked for."""
    mp_run.stop_if_not_running(benchmark, key)
    mp_run.skip_if_crawling(benchmark, test, key)
    maximum = mp_run.fit_seeds(test)
    if not maximum:
        why = (f"its fits were cut by --mp-budget {mp_run.settings.budget:g} to fit the run in it"
               if mp_run.fit_seeds(test, NO_CUTS) else
               "0 seeds asked (--mp-seed-recipe-seeds 0)" if mp_run.settings.seed_recipe_seeds == 0 else
               f"workload {mp_run.profile.workload.name} fits the seed document's constant-rate recipe only where asked "
               "(--mp-seed-recipe-seeds N)")
        pytest.skip(f"{test}: {why}, so the {recipe.name} recipe is not measured")
    return PairedFits(benchmark, mp_run, recipe, key, float32_fit, maximum)


def test_accuracy(benchmark, mp_run, jit, fp32, mixed_policy, float32_fit):
    fits = paired_fits(benchmark, mp_run, "test_accuracy", GATE_RECIPE, mp_run.key(mixed_policy, jit, fp32), float32_fit)
    tolerance = mp_run.accuracy_tol

    def interval(count, confidence):  # the mean paired delta's bound and its matching upper end
        bound = fits.comparison(count).bound(confidence)
        return None if bound is None or fits.nonfinite(count) else (bound.low, bound.high)

    stop = run_design(accuracy_design(mp_run.settings.design, fits.maximum), fits.measure, interval, -tolerance)
    comparison = fits.comparison(stop.count)
    learned = not_learned(comparison.float32_accuracy, fits.float32_losses(stop.count), tolerance,
                          chance_accuracy(mp_run.data.y_test), mp_run.profile.workload.min_float32_accuracy)
    verdict = accuracy_verdict(mixed_policy, comparison, tolerance, fits.nonfinite(stop.count), stop.confidence,
                               harness_check=mp_run.profile.harness_check, data_source=mp_run.data.source,
                               float32_not_learned=learned, stop=stop)
    bound = comparison.bound()
    benchmark.extra_info.update({**fits.info(stop.count), **AccuracyBound(
        tolerance, bound.value if bound else comparison.median_delta, bound.low if bound else None,
        bound.confidence if bound else None).fields(), **stop.fields()})
    mp_run.conclude(benchmark, verdict)


def test_seed_recipe_accuracy(benchmark, mp_run, jit, fp32, mixed_policy, float32_fit):
    fits = paired_fits(benchmark, mp_run, "test_seed_recipe_accuracy", SEED_RECIPE, mp_run.key(mixed_policy, jit, fp32),
                       float32_fit)
    fits.measure(fits.maximum)  # reported, not gated: nothing to stop early for
    comparison = fits.comparison(fits.maximum)
    verdict = seed_recipe_report(mixed_policy, comparison, fits.nonfinite(fits.maximum))
    benchmark.extra_info.update({**fits.info(fits.maximum), **AccuracyDelta(comparison.median_delta).fields()})
    mp_run.conclude(benchmark, verdict)
