"""Accuracy gate: the mixed policy against float32, same initial weights, same data order.

For each seed, float32 and the mixed policy train with the seed's fit recipe
(validation_split=0.2, the profile's batch and epochs) from the weights that seed gives,
on the data order that seed gives, then evaluate on the test set. The gate fails on any
NaN or infinite loss, or when the median paired accuracy drop exceeds --mp-accuracy-tol. Each epoch
prints a progress line with the time left. Where the mixed policy's matmuls run at under a tenth of
float32's (PyTorch bf16 on a CPU without AVX-512), its fits are skipped with the measured reason and
the time they would take, unless --mp-slow-policies asks for them.
pytest-benchmark times the mixed policy's training runs (one round per seed).
"""

import numpy as np
import pytest

from mpmodel.core.model import build_model
from mpmodel.core.policies import BASELINE
from mpmodel.core.training import fit_recipe
from mpmodel.measure.gates import AccuracyComparison, accuracy_verdict, nonfinite_report
from mpmodel.measure.progress import FitProgress


@pytest.fixture
def float32_fit(mp_run, jit, fp32):
    """float32 runs of the recipe, trained once per seed, compile mode and float32 variant, shared by
    both mixed policies. `fit(seed, progress)`; `fit.pending(seeds)` counts those not trained yet."""
    def key(seed):
        return (seed, jit, fp32)

    def fit(seed, progress=None):
        if key(seed) not in mp_run.float32_fits:
            with mp_run.float32_matmuls(fp32):
                model = build_model(BASELINE, mp_run.profile, seed=seed, jit=jit)
                mp_run.float32_fits[key(seed)] = fit_recipe(model, mp_run.data, mp_run.profile, order_seed=seed,
                                                            progress=progress and progress.fit(BASELINE, seed))
        return mp_run.float32_fits[key(seed)]

    fit.pending = lambda seeds: sum(key(s) not in mp_run.float32_fits for s in seeds)
    return fit


def test_accuracy(benchmark, mp_run, profile_name, jit, fp32, mixed_policy, float32_fit):
    profile, data = mp_run.profile, mp_run.data
    if why := mp_run.crawling("test_accuracy", mixed_policy, jit, fp32):
        pytest.skip(why)
    seeds = list(range(profile.accuracy_seeds))
    progress = FitProgress(mp_run.say, len(seeds) + float32_fit.pending(seeds), profile.epochs)
    baselines = {seed: float32_fit(seed, progress) for seed in seeds}
    mixed, models, tf32 = {}, {}, {}
    pending = iter(seeds)

    def next_seed():
        return (next(pending),), {}

    def train(seed):
        with mp_run.float32_matmuls(fp32):
            models[seed] = build_model(mixed_policy, profile, seed=seed, jit=jit)
            mixed[seed] = fit_recipe(models[seed], data, profile, order_seed=seed,
                                     progress=progress.fit(mixed_policy, seed))
            tf32[seed] = mp_run.tf32()  # the state this fit ran under: the variant's, not the default restored after

    benchmark.pedantic(train, setup=next_seed, rounds=len(seeds), iterations=1)
    for seed in seeds:  # under --benchmark-disable only the first seed ran
        if seed not in mixed:
            train(seed)

    comparison = AccuracyComparison(seeds, [baselines[s].test_accuracy for s in seeds],
                                    [mixed[s].test_accuracy for s in seeds])
    nonfinite = [line for s in seeds for line in
                 nonfinite_report(f"float32 seed {s}", baselines[s]) + nonfinite_report(f"{mixed_policy} seed {s}", mixed[s])]
    verdict = accuracy_verdict(mixed_policy, comparison, mp_run.settings.accuracy_tol, nonfinite)
    last = mixed[seeds[-1]]
    benchmark.extra_info.update({
        "policy": mixed_policy, "seeds": seeds, **mp_run.result_info(jit, fp32, models[seeds[-1]], tf32=tf32[seeds[-1]]),
        # medians over seeds, like the gate's statistic: the recipe's runs are heavy-tailed
        "test_accuracy": float(np.median(comparison.mixed_accuracy)),
        "float32_test_accuracy": float(np.median(comparison.float32_accuracy)),
        "accuracy_delta": comparison.median_delta,  # median of the paired deltas
        "accuracy_deltas": comparison.deltas.tolist(),
        "test_accuracies": comparison.mixed_accuracy, "float32_test_accuracies": comparison.float32_accuracy,
        "test_loss": float(np.median([mixed[s].test_loss for s in seeds])),
        "float32_test_loss": float(np.median([baselines[s].test_loss for s in seeds])),
        "final_loss_scale": last.final_loss_scale, "accuracy_tol": mp_run.settings.accuracy_tol,
    })
    mp_run.record(benchmark, verdict)
    assert verdict.passed, verdict.message
