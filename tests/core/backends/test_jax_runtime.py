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


@pytest.mark.framework
def test_the_fused_loop_runs_the_suites_steps_from_the_models_state():
    pytest.importorskip("jax", reason="JAX is not installed in this environment")
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    proc = subprocess.run([sys.executable, "-c", FUSED], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_cuda_and_cudnn_come_from_jaxs_own_cuda_plugin(monkeypatch):
    """Stand-ins for an H200 and JAX's CUDA plugin: the versions are read from JAX's runtime, as PyTorch's are."""
    pytest.importorskip("jax", reason="JAX is not installed in this environment (pip install 'mpmodel[jax]')")
    from types import SimpleNamespace

    import jax
    from jax._src import lib as jax_lib

    from mpmodel.core.backends.jax.runtime import Backend as JaxRuntime
    from mpmodel.core.device import DeviceInfo

    h200 = SimpleNamespace(platform="gpu", id=0, device_kind="NVIDIA H200", compute_capability="9.0")
    monkeypatch.setattr(jax, "devices", lambda *a: [h200])
    monkeypatch.setattr(jax_lib, "cuda_versions", SimpleNamespace(cuda_runtime_get_version=lambda: 13000,
                                                                  cudnn_get_version=lambda: 91900), raising=False)
    info = DeviceInfo()
    JaxRuntime().device_facts(info)
    assert (info.cuda_build_version, info.cudnn_build_version) == ("13.0", "9.19.0")
    assert "CUDA 13.0, cuDNN 9.19.0" in info.summary()


def test_cuda_libraries_unknown_without_the_plugin_or_when_a_library_will_not_load():
    pytest.importorskip("jax", reason="JAX is not installed in this environment (pip install 'mpmodel[jax]')")
    from types import SimpleNamespace

    from mpmodel.core.backends.jax.runtime import cuda_libraries

    def broken():
        raise RuntimeError("libcudnn.so.9: cannot open shared object file")

    assert cuda_libraries(None) == (None, None)
    assert cuda_libraries(SimpleNamespace(cuda_runtime_get_version=lambda: 12080, cudnn_get_version=broken)) == \
        ("12.8", None)
