"""JAX's runtime: the fused loop does the same training steps as the suite's rounds, from the model's state,
leaving the model as it was."""

import os
import subprocess
import sys

import pytest

FUSED = """
import keras, numpy as np
from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.backends import runtime
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile
from mpmodel.core.training import TrainingStep

profile = get_profile("tiny")
step = TrainingStep(build_model("mixed_bfloat16", profile), synthetic_mnist(1024, 128), profile.batch_size, n_batches=3)
step.run(2)
fused = runtime().fused_loop(step.model, step.batches)  # from the state after those 2 steps
weights = [np.array(w) for w in step.model.get_weights()]
first, again = fused(5), fused(5)
assert first == again, (first, again)  # each call starts from the same state and leaves the model alone
assert all(np.array_equal(a, np.array(b)) for a, b in zip(weights, step.model.get_weights()))
suite = step.run(5)  # the suite's rounds: the same 5 steps on the same batches from the same state
assert abs(suite - first) < 1e-3 * max(1.0, abs(suite)), (suite, first)
print("fused", first, "suite", suite)
"""


def test_the_fused_loop_runs_the_suites_steps_from_the_models_state():
    pytest.importorskip("jax", reason="JAX is not installed in this environment")
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    proc = subprocess.run([sys.executable, "-c", FUSED], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
