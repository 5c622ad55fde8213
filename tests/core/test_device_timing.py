"""Device-side timing: kernel time counted once, CUDA events absent (not faked) without CUDA, and the JAX
fused loop doing the same training steps as the suite's rounds."""

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from mpmodel.core.device_timing import kernel_time_us


def test_kernel_time_counts_device_entries_only():
    averages = [  # a kernel and the CPU operator that launched it carry the same device time
        SimpleNamespace(key="aten::mm", device_type="DeviceType.CPU", self_device_time_total=900.0),
        SimpleNamespace(key="sm90_xmma_gemm", device_type="DeviceType.CUDA", self_device_time_total=900.0),
        SimpleNamespace(key="aten::add_", device_type="DeviceType.CPU", self_device_time_total=100.0),
        SimpleNamespace(key="elementwise_kernel", device_type="DeviceType.CUDA", self_device_time_total=100.0),
    ]
    assert kernel_time_us(averages) == 1000.0


def test_without_cuda_the_events_are_absent_and_the_busy_share_says_why():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed in this environment")
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: this checks the CPU path")
    from mpmodel.core.device_timing import event_rounds, kernel_busy_share

    calls = []
    timings = event_rounds(lambda k: calls.append(k), steps=4, rounds=3)
    assert calls == [4, 4, 4]
    assert all(t.device_s is None and t.host_s >= 0 for t in timings)
    assert kernel_busy_share(lambda k: None, 4) == (None, "no CUDA device")


FUSED = """
import keras, numpy as np
from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.device_timing import fused_loop
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile
from mpmodel.core.training import TrainingStep

profile = get_profile("tiny")
step = TrainingStep(build_model("mixed_bfloat16", profile), synthetic_mnist(1024, 128), profile.batch_size, n_batches=3)
step.run(2)
fused = fused_loop(step.model, step.batches)  # from the state after those 2 steps
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
