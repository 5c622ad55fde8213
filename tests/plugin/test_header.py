"""The session header's lines: the settings and the kernels a step counts (text, nothing measured)."""

from mpmodel.core.profiles import get_profile
from mpmodel.plugin.header import settings_line
from mpmodel.plugin.settings import Settings


def test_settings_line_names_every_setting_and_offline():
    s = Settings(profile="small", policies=("float32", "mixed_bfloat16"), jit=("auto", "off"), fp32=("auto",),
                 min_speedup={"mixed_bfloat16": 1.5}, accuracy_tol=0.15, data="synthetic", require_gpu=False, offline=True)
    assert settings_line(s) == ("mpmodel: workload=mlp profile=small policies=float32,mixed_bfloat16 jit=auto,off fp32=auto "
                                "data=synthetic (offline) accuracy_tol=0.15 accuracy_seeds=profile "
                                "min_speedup={'mixed_bfloat16': 1.5} design=sequential")
    assert settings_line(Settings(**{**s.__dict__, "design": "fixed", "budget": 7.5})).endswith(
        "design=fixed budget=7.5min")
    assert "accuracy_seeds=7 " in settings_line(Settings(**{**s.__dict__, "accuracy_seeds": 7}))


def test_the_kernels_line_counts_each_op_and_names_layers_a_dense_reading_misses():
    from mpmodel.core.profiles import profile_of  # noqa: PLC0415
    from mpmodel.core.workload import Workload  # noqa: PLC0415
    from mpmodel.core.workloads.conv import ResidualConvNet  # noqa: PLC0415
    from mpmodel.plugin.header import kernels_line  # noqa: PLC0415

    assert kernels_line(get_profile("small")) == "mpmodel kernels: 19.6 GFLOP a step (8 matmul)"
    conv = ResidualConvNet()
    assert kernels_line(profile_of(conv, "tiny")) == "mpmodel kernels: 0.187 GFLOP a step (3 matmul, 9 conv)"

    class DenseOnly(ResidualConvNet):  # a user's convnet that gives no kernels: only its Dense head is counted
        step_kernels = Workload.step_kernels

    line = kernels_line(profile_of(DenseOnly(), "tiny"))
    assert line.startswith("mpmodel kernels: 2.05e-05 GFLOP a step (2 matmul); read from the Dense layers")
    assert "stem (Conv2D)" in line and "BatchNormalization" not in line  # normalisation scales do no matmul


def test_by_default_the_context_is_six_lines_and_under_v_every_line_whole():
    from mpmodel.core.data.synthetic import synthetic_mnist
    from mpmodel.core.device import DeviceInfo
    from mpmodel.plugin.header import context_lines
    from mpmodel.plugin.run_context import RunContext, SuiteSession
    from mpmodel.plugin.settings import Settings

    settings = Settings(profile="small", policies=("float32", "mixed_float16", "mixed_bfloat16"), jit=("auto",),
                        fp32=("auto",), min_speedup={}, accuracy_tol=0.01, data="synthetic", require_gpu=False)
    device = DeviceInfo(cpu_arch="x86_64", versions={"keras_backend": "tensorflow"})
    ctx = RunContext(SuiteSession(settings, device), get_profile("small"), synthetic_mnist(600, 100))
    short, whole = context_lines(ctx, verbose=False), context_lines(ctx, verbose=True)
    assert len(short) == 6 and len(whole) == 10
    assert short[0].startswith("mpmodel workload: mlp v1, profile small (1024 units, batch 2048, 5 epochs): the seed's")
    assert [line.split(":")[0] for line in whole[:2]] == ["mpmodel workload", "mpmodel profile"]
    expects = [line for line in short if line.startswith("mpmodel expects")]
    assert len(expects) == 1 and "mixed_float16 (jit auto)" in expects[0] and "mixed_bfloat16 (jit auto)" in expects[0]
    assert expects[0].endswith("; -v: why)")
    assert sum(line.startswith("mpmodel expects") for line in whole) == 2
    assert any(line.startswith("mpmodel device class: ") for line in whole)
