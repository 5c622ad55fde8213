"""The session's shared state and a workload's context: one slot per step as run, and one verdict tail."""

from types import SimpleNamespace

import pytest

from mpmodel.core.device import DeviceInfo
from mpmodel.core.profiles import get_profile
from mpmodel.core.step_key import ANY_VARIANT, StepKey
from mpmodel.measure.gates import Verdict
from mpmodel.measure.probe import ProbedStep
from mpmodel.plugin.run_context import RunContext, SuiteSession
from mpmodel.plugin.settings import Settings


def session(backend: str, jit=("auto", "on")) -> SuiteSession:
    settings = Settings(profile="small", policies=("float32", "mixed_bfloat16"), jit=jit, fp32=("auto",),
                        min_speedup={}, accuracy_tol=None, data="synthetic", require_gpu=False)
    return SuiteSession(settings, DeviceInfo(cpu_arch="x86_64", versions={"keras_backend": backend}))


def bench():
    return SimpleNamespace(fullname="benchmarks/test_speedup.py::test_speedup[small-mixed_bfloat16]", extra_info={})


@pytest.mark.parametrize("backend,shared", [("jax", True), ("tensorflow", False)])
def test_compile_modes_that_resolve_alike_share_one_slot(backend, shared):
    """JAX's `auto` compiles, as `on` does: one probe serves both; TensorFlow's `auto` on a CPU does not compile."""
    ctx = RunContext(session(backend), get_profile("small"))
    ctx.probes[ctx.slot(StepKey("float32", "auto", "default"))] = ProbedStep("float32", 1.0, (0.1,))
    assert (ctx.slot(StepKey("float32", "on", "default")) in ctx.probes) is shared
    assert ctx.slot(StepKey("mixed_bfloat16", "auto", "strict")).fp32 == ANY_VARIANT  # TF32 matters to float32 alone
    assert ctx.session.resolved("auto") == ("on" if shared else "off")


def test_the_verdict_tail_records_then_passes_skips_or_fails_in_one_line():
    shared = session("tensorflow")
    first, second, third = bench(), bench(), bench()
    shared.conclude(first, Verdict(True, True, "1.6x >= 1.3x"))
    with pytest.raises(pytest.skip.Exception, match="no speedup expected"):
        shared.conclude(second, Verdict(True, False, "no speedup expected here"))
    with pytest.raises(pytest.fail.Exception, match="1.0x < 1.3x") as failed:
        shared.conclude(third, Verdict(False, True, "1.0x < 1.3x"))
    assert not failed.value.pytrace  # one line, not a traceback
    assert [o for _, o, _ in shared.verdicts] == ["pass", "skip", "FAIL"]
    assert third.extra_info == {"gate": "FAIL", "gate_message": "1.0x < 1.3x"}
