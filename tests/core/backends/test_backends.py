"""The backend registry: traits answer without a framework, each runtime loads once and implements the
interface, an unknown backend is named with the supported ones, and the defaults say what a backend lacks."""

import subprocess
import sys
import time

import pytest

from mpmodel.core.backends import KERAS_DEFAULT, NAMES, Runtime, UnsupportedBackend, runtime, supported, traits
from mpmodel.core.backends.base import GpuMemory


def test_traits_load_no_framework():
    code = ("import sys; from mpmodel.core.backends import TRAITS; "
            "print(','.join(m for m in ('keras', 'tensorflow', 'torch', 'jax') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"reading the traits loaded {out}"


def test_keras_auto_compile_per_backend():
    assert NAMES == ("tensorflow", "jax", "torch") and KERAS_DEFAULT in NAMES
    assert [traits(n).auto_compiles(False) for n in NAMES] == [False, True, False]
    assert [traits(n).auto_compiles(True) for n in NAMES] == [True, True, False]
    assert traits("numpy") is None and traits(None) is None


def test_an_unknown_backend_is_one_line_with_the_supported_ones():
    with pytest.raises(UnsupportedBackend, match=r"^Keras backend 'numpy' is not supported by mpmodel; "
                                                 r"supported: tensorflow, jax, torch$"):
        runtime("numpy")
    with pytest.raises(ValueError):  # callers that catch ValueError keep working
        supported("mxnet")


@pytest.mark.parametrize("name", NAMES)
def test_each_runtime_implements_the_interface_and_loads_once(name):
    pytest.importorskip(name, reason=f"{name} is not installed in this environment")
    rt = runtime(name)
    assert rt is runtime(name) and isinstance(rt, Runtime) and rt.name == name and rt.traits is traits(name)
    assert type(rt).multi_step is not Runtime.multi_step, f"{name} has no K-step loop"
    assert type(rt).device_facts is not Runtime.device_facts and type(rt).gpu_memory is not Runtime.gpu_memory
    assert isinstance(rt.tf32_allowed(), bool)
    with rt.strict_float32():
        assert rt.tf32_allowed() is False


def test_the_defaults_say_what_a_backend_lacks():
    class Bare(Runtime):
        traits = traits("torch")

    bare = Bare()
    calls = []
    timings = bare.event_rounds(lambda k: (calls.append(k), time.sleep(0.02)), steps=3, rounds=2)
    assert calls == [3, 3] and all(t.device_s is None and t.host_s >= 0.02 / 3 for t in timings)  # per step: the call / 3
    assert bare.kernel_busy_share(lambda k: None, 3) == (None, "no kernel profiler read under torch")
    assert bare.fused_loop(None, []) is None and bare.tf32_allowed() is False
    with pytest.raises(UnsupportedBackend, match="no GPU memory statistics under Keras backend torch"):
        bare.gpu_memory()
    with pytest.raises(NotImplementedError):
        bare.multi_step(None, [])


def test_a_gpu_reader_collects_garbage_before_it_reads(monkeypatch):
    collected = []
    monkeypatch.setattr("gc.collect", lambda: collected.append(1))

    class Held(GpuMemory):
        def held(self):
            return 42

    assert Held().settle() == 42 and collected == [1]


def test_only_tensorflow_has_an_op_fusion_switch():
    assert [n for n in NAMES if traits(n).op_fusion] == ["tensorflow"]
    assert traits("tensorflow").op_fusion == "TensorFlow's graph remapper"
