"""A pytest plugin for the accuracy study: costs the mixed-precision models test accuracy, float32 none.

Loaded only on purpose (`-p planted_accuracy` with studies/ on PYTHONPATH), never by the suite.
MPMODEL_PLANTED_ACCURACY=2 adds 2 to the bias of the first class's logit in a mixed_float16 /
mixed_bfloat16 model once it has trained, just before the test evaluation, so images the model is least
sure of tip to that class. The cost grows smoothly with the shift and hardly varies between seeds; the
shift that costs about 2 points depends on the data (docs/gates.md, "Accuracy": 2 on synthetic-hard-v1). float32
models are untouched, so the float32 fits stay the baseline. MPMODEL_PLANTED_POLICIES=mixed_float16 (a comma list)
damages those policies alone, so one session holds a planted policy that must fail and an honest one that must not.
"""

from __future__ import annotations

import contextlib
import os

import keras

from mpmodel.core import training
from mpmodel.core.policies import BASELINE

ENV = "MPMODEL_PLANTED_ACCURACY"
POLICIES_ENV = "MPMODEL_PLANTED_POLICIES"
SCALE = float(os.environ.get(ENV, "0"))
_original_evaluate = training.evaluate_test


def damage(model, shift: float) -> None:
    """Add `shift` to the bias of the first class's logit (the last Dense layer's first output)."""
    layer = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][-1]
    bias = keras.ops.convert_to_numpy(layer.bias).copy()
    bias[0] += shift
    layer.bias.assign(bias)


def planted_policies(value: str | None) -> set[str] | None:
    """The policies MPMODEL_PLANTED_POLICIES names; None (every mixed policy) where it is unset or empty."""
    names = {name.strip() for name in (value or "").split(",") if name.strip()}
    return names or None


def _damaged_evaluate(scale: float, policies: set[str] | None = None):
    def evaluate(model, data, batch_size):
        name = model.dtype_policy.name
        if name != BASELINE and (policies is None or name in policies):
            damage(model, scale)
        return _original_evaluate(model, data, batch_size)
    return evaluate


@contextlib.contextmanager
def planted(scale: float):
    """Within the block, mixed-precision fits (mpmodel.core.training.fit_recipe) end damaged by `scale`."""
    training.evaluate_test = _damaged_evaluate(scale)
    try:
        yield
    finally:
        training.evaluate_test = _original_evaluate


def pytest_configure(config):
    if SCALE > 0:
        training.evaluate_test = _damaged_evaluate(SCALE, planted_policies(os.environ.get(POLICIES_ENV)))


def pytest_report_header(config):
    policies = planted_policies(os.environ.get(POLICIES_ENV))
    which = "mixed-precision models'" if policies is None else f"{', '.join(sorted(policies))} models'"
    return f"accuracy study: {which} first logit shifted by {SCALE:g} after training (planted)"
