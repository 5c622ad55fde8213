"""K steps with one sync, on every installed Keras backend: K real optimizer steps, the state kept, and
`train_on_batch` still working on the same model afterwards."""

import os
import subprocess
import sys

import pytest

CHECK = """
import math, dataclasses, keras
from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile
from mpmodel.core.training import TrainingStep

profile = get_profile("tiny")
data = synthetic_mnist(1024, 128)
for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
    step = TrainingStep(build_model(policy, profile), data, profile.batch_size, n_batches=3)
    assert step.harness  # builds the loop, after one train_on_batch that builds the optimizer
    before = int(step.model.optimizer.iterations.numpy() if hasattr(step.model.optimizer.iterations, "numpy")
                 else keras.ops.convert_to_numpy(step.model.optimizer.iterations))
    first = step.run(5)
    losses = [step.run(7) for _ in range(3)]
    after = int(keras.ops.convert_to_numpy(step.model.optimizer.iterations))
    assert after - before == 5 + 21, (policy, before, after)
    assert all(math.isfinite(v) for v in [first, *losses]) and losses[-1] < first, (policy, first, losses)
    assert math.isfinite(step())  # train_on_batch on the same model still works
    assert int(keras.ops.convert_to_numpy(step.model.optimizer.iterations)) == after + 1
print("harness:", step.harness)
"""


@pytest.mark.framework
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_k_steps_are_k_optimizer_steps_and_the_model_stays_usable(backend):
    pytest.importorskip(backend, reason=f"{backend} is not installed in this environment")
    env = {**os.environ, "KERAS_BACKEND": backend}
    proc = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "harness:" in proc.stdout


def test_an_unknown_backend_is_named(monkeypatch):
    import keras

    from mpmodel.core import multi_step

    monkeypatch.setattr(keras.backend, "backend", lambda: "numpy")
    with pytest.raises(ValueError, match="Keras backend 'numpy' is not supported by mpmodel; supported: tensorflow, jax, torch"):
        multi_step.multi_step_runner(object(), [])
