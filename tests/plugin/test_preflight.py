"""What runs before the first benchmark: speeds of light, step probes, the prediction and the crawl lines."""

import sys
from types import SimpleNamespace

from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.device import DeviceInfo
from mpmodel.core.profiles import flops_per_step, get_profile
from mpmodel.core.step_key import StepKey
from mpmodel.measure.ceilings import SpeedOfLight
from mpmodel.measure.probe import ProbedStep
from mpmodel.plugin.preflight import preflight_lines
from mpmodel.plugin.run_context import RunContext, SuiteSession
from mpmodel.plugin.settings import Settings


def settings(**kw):
    base = dict(profile="small", policies=("float32", "mixed_float16", "mixed_bfloat16"), jit=("auto",),
                fp32=("auto",), min_speedup={}, accuracy_tol=0.15, data="synthetic", require_gpu=False)
    return Settings(**{**base, **kw})


def avx2_context(**kw):
    """A session on an AVX2 CPU under PyTorch, its speeds of light and probed steps as measured there (bf16 0.8
    GFLOP/s, a 24 s step)."""
    device = DeviceInfo(cpu_arch="x86_64", versions={"keras_backend": "torch"})
    ctx = RunContext(SuiteSession(settings(**kw), device), get_profile("small"), synthetic_mnist(6000, 1000))
    flops = flops_per_step(ctx.profile)
    for policy, tflops, step in (("float32", 0.120, 0.18), ("mixed_float16", 0.100, 0.2), ("mixed_bfloat16", 0.0008, 24.0)):
        key = StepKey(policy, "auto", "default").same_step()
        ctx.speeds_of_light[key] = SpeedOfLight(flops / tflops / 1e12, flops, 1)
        ctx.probes[key] = ProbedStep(policy, 1.0 + step, (step, step, step))
    return ctx


BF16 = StepKey("mixed_bfloat16", "auto", "default")


def item(name, policy_key, policy):
    return SimpleNamespace(originalname=name, callspec=SimpleNamespace(
        params={"profile_name": "small", "jit": "auto", "fp32": "default", policy_key: policy}))


ITEMS = [item("test_step_time", "policy", p) for p in ("float32", "mixed_float16", "mixed_bfloat16")] + \
    [item(t, "mixed_policy", p) for t in ("test_speedup", "test_accuracy") for p in ("mixed_float16", "mixed_bfloat16")]


def test_preflight_lines_predict_the_run_and_name_what_a_crawling_policy_will_not_run():
    lines = preflight_lines(avx2_context(), ITEMS + [SimpleNamespace(originalname="test_other")])
    assert lines[0].startswith("mpmodel speed of light: float32 (jit auto, float32 default) 0.12 TFLOP/s")
    assert any(line.startswith("mpmodel speed of light: mixed_bfloat16 (jit auto) 0.0008 TFLOP/s") for line in lines)
    assert "mpmodel step probe: mixed_bfloat16 (jit auto) 24 s per step (median of 3; the first, compile " \
           "included, 25 s); crawling: mixed_bfloat16's step takes 24 s per step here, 133x float32's 180 ms (the crawl " \
           "rule: over 10x); its kernels alone take" in "\n".join(lines)
    assert "torch has no graph-rewrite switch the probe can try" in "\n".join(lines)
    predicts = next(line for line in lines if line.startswith("mpmodel predicts: about "))
    assert "accuracy" in predicts and "from the probed steps" in predicts
    skip = [line for line in lines if line.startswith("mpmodel will not run")]
    assert len(skip) == 1  # mixed_bfloat16: step time, speedup, accuracy
    assert skip[0].startswith("mpmodel will not run mixed_bfloat16 (jit auto, float32 default) in full: it crawls "
                              "here (the probe above); test_step_time would take about")
    assert "test_accuracy would take about" in skip[0] and skip[0].endswith("--mp-slow-policies runs them")


def test_by_default_the_speeds_of_light_and_the_probes_are_a_line_each_and_a_crawl_its_own():
    lines = preflight_lines(avx2_context(), ITEMS, verbose=False)
    sol = [line for line in lines if line.startswith("mpmodel speed of light")]
    assert sol == [next(line for line in lines if line.startswith("mpmodel speed of light: float32 0.12 TFLOP/s"))]
    assert "mixed_float16 0.1 TFLOP/s" in sol[0] and "mixed_bfloat16 0.0008 TFLOP/s" in sol[0]
    probes = [line for line in lines if line.startswith("mpmodel step probe")]
    assert probes[0].startswith("mpmodel step probe: float32 180 ms per step, mixed_float16 200 ms per step, "
                                "mixed_bfloat16 24 s per step (the median of 3 steps each; probed in")
    assert probes[1:] == ["mpmodel step probe: crawling: " + avx2_context().crawl_evidence(BF16)]
    assert len(lines) == len(preflight_lines(avx2_context(), ITEMS)) - 3  # -v: a line per step (4 more), no crawl line


def test_slow_policies_asked_for_are_predicted_and_not_skipped():
    quick, slow = avx2_context(), avx2_context(slow_policies=True)
    assert quick.crawls(BF16)
    assert not slow.crawls(BF16)
    assert not quick.crawls(BF16.with_policy("mixed_float16"))
    assert not [line for line in preflight_lines(slow, ITEMS) if line.startswith("mpmodel will not run")]

    def predicted_s(ctx):
        line = next(line for line in preflight_lines(ctx, ITEMS) if line.startswith("mpmodel predicts"))
        number, unit = line.split("about ")[1].split(" in all")[0].split()
        return float(number) * (60 if unit == "min" else 1)

    assert predicted_s(slow) > 20 * predicted_s(quick)  # bf16 timed and fitted at 0.8 GFLOP/s: 30 s a step


def test_no_suite_benchmarks_no_preflight_lines():
    assert preflight_lines(avx2_context(), [SimpleNamespace(originalname="test_other")]) == []


def test_a_remapper_probe_that_fails_leaves_the_cause_unknown(monkeypatch):
    ctx = avx2_context()
    ctx.device.versions["keras_backend"] = "tensorflow"
    failed = ProbedStep("mixed_bfloat16", None, error="the probe child exited -9: Killed", remapping=False)
    monkeypatch.setattr(sys.modules["mpmodel.plugin.run_context"], "probe_in_child",
                        lambda *a, **kw: {"mixed_bfloat16": failed})
    cause = ctx.crawl_cause(BF16)
    assert cause == ("with TensorFlow's graph remapper off the probe failed: the probe child exited -9: Killed, "
                     "so the cause is not known")


def test_kernels_that_will_not_run_are_said_in_one_line_and_the_session_goes_on(monkeypatch):
    """The speed of light of a dtype whose op has no kernel here (JAX's float16 attention on a CPU) is recorded as
    failed, with the error's first line, instead of ending the session."""
    from mpmodel.plugin import run_context

    def no_kernel(kernels, policy, jit, fused):
        def run(k):
            raise ValueError("The precision 'F16_F16_F32' is not supported by dot_general on CPU\nmore context")
        return run

    ctx = avx2_context()
    ctx.speeds_of_light.clear()
    monkeypatch.setattr(run_context, "kernel_runner", no_kernel)
    fp16 = BF16.with_policy("mixed_float16")
    sol = ctx.speed_of_light(fp16)
    assert sol.error == "ValueError: The precision 'F16_F16_F32' is not supported by dot_general on CPU"
    ctx.probes[fp16.same_step()] = ProbedStep("mixed_float16", None, error=sol.error)  # nor does its step
    assert ctx.step_estimate(fp16) == 0.0  # nothing of it will be timed
    assert ctx.not_running(fp16) == (
        "mixed_float16's step does not run here (torch on CPU ?): " + sol.error)
    lines = preflight_lines(ctx, ITEMS)
    assert "mpmodel will not run mixed_float16 (jit auto, float32 default): mixed_float16's step does not run" in \
        "\n".join(lines)
    assert "mpmodel speed of light: mixed_float16 (jit auto) failed: ValueError: The precision 'F16_F16_F32'" in \
        "\n".join(lines)


def test_compile_modes_that_run_the_same_step_get_one_line():
    """Under JAX `auto` compiles, so `--mp-jit auto,on` runs each step once: one speed of light and probe line."""
    ctx = avx2_context(jit=("auto", "on"))
    ctx.session.device = DeviceInfo(cpu_arch="x86_64", versions={"keras_backend": "jax"})
    on_items = [SimpleNamespace(originalname=i.originalname, callspec=SimpleNamespace(
        params={**i.callspec.params, "jit": "on"})) for i in ITEMS]
    lines = preflight_lines(ctx, ITEMS + on_items)
    light = [line for line in lines if line.startswith("mpmodel speed of light: float32")]
    assert len(light) == 1, lines
    assert len([line for line in lines if line.startswith("mpmodel step probe: ")]) == 3
