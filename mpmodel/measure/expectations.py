"""Which mixed policy should beat float32 on which device, and by how much: one table.

A row maps (device class, policy, and where measurements show backends differ, the Keras
backend) to the minimum speedup (float32 step time / mixed step
time) the speedup gate demands of its confidence interval's lower bound, or to None with
the reason no speedup is expected. `--mp-min-speedup` overrides the table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mpmodel.core.device import DeviceInfo
from mpmodel.core.policies import BASELINE, MIXED_POLICIES, validate_policy

# CPUs are classed by what decides their bf16 kernels: AMX tiles (Intel, Sapphire Rapids and newer) or the
# AVX512_BF16 dot-product instructions alone, whose oneDNN kernels measured 1.9x float32 on an AMD Zen 4 and
# 0.34x on an Intel Xeon (TensorFlow, the small step's matmuls): the same flag, opposite outcomes, so the vendor
# is part of the class. The CPU flags are a prior; the step probe and the speed of light measure the device.
X86_AMX = "x86 CPU with AMX"
X86_BF16_AMD = "AMD x86 CPU with AVX512_BF16, no AMX"
X86_BF16_INTEL = "Intel x86 CPU with AVX512_BF16, no AMX"
X86_BF16 = "x86 CPU with AVX512_BF16, no AMX, of another vendor"
X86 = "x86 CPU without bf16 instructions"
NVIDIA_CC7 = "NVIDIA GPU, compute capability 7.x"
NVIDIA_CC8 = "NVIDIA GPU, compute capability 8.0 or newer"
OTHER = "other device"
NO_ROW = "no table row"  # Expectation.source where the table is silent: the measured ceiling decides (ceilings.from_ceiling)
PARTIAL_CEILING = "partial ceiling"  # where the table is silent and the ceiling leaves layers out: nothing decides


@dataclass(frozen=True)
class Expectation:
    device_class: str
    policy: str
    min_speedup: float | None
    reason: str
    source: str = "expectations table"
    backend: str | None = None  # None: any backend
    float32: str | None = None  # the baseline's matmuls: "tf32", "strict" (TF32 off), None: either / no TF32
    jit: str | None = None  # the resolved compile mode: "on" (XLA / torch.compile), "off"; None: either
    cpu_flag: str | None = None  # the row holds only where the CPU has this flag; None: any
    workload: str | None = None  # the workload it was measured on; None: any (a row that expects no speedup)


FP16_CONVERTED = ("without AVX512_FP16 an x86 CPU has no float16 arithmetic: float16 is converted around float32 "
                  "math, slower than float32 (TensorFlow's small step measured 0.77-0.82x in rounds of K steps on a Zen 4 "
                  "EPYC; single-call timings gave 0.83-0.96x on TensorFlow, PyTorch and JAX)")
FP16_AVX512 = ("AVX512_FP16 gives float16 arithmetic, but no framework here runs float16 training faster than float32 "
               "on a CPU: TensorFlow's grappler remapper fuses MatMul+BiasAdd into one kernel whose float16 CPU path "
               "crawled on Intel Xeons (the small step 68 s against float32's 0.1 s; with the remapper off the same "
               "matmul+bias ran 4.2 ms against float32's 4.7 ms); the step probe reports such a crawl")


def _fp16_rows(cls: str) -> tuple[Expectation, ...]:
    return (Expectation(cls, "mixed_float16", None, FP16_AVX512, cpu_flag="avx512_fp16"),
            Expectation(cls, "mixed_float16", None, FP16_CONVERTED))


EXPECTATIONS: tuple[Expectation, ...] = (
    # AMX: measured on an Intel Xeon with AMX (2 cores, TensorFlow 2.21, small; the step probe): bf16 26 ms against
    # float32's 78 ms per step.
    Expectation(X86_AMX, "mixed_bfloat16", 1.3,
                "oneDNN runs bf16 matmuls on AMX tiles: the small step probed at 26 ms against float32's 78 ms (3.0x) on "
                "an Intel Xeon with AMX", backend="tensorflow", jit="off"),
    Expectation(X86_AMX, "mixed_bfloat16", None,
                "XLA:CPU has no AMX or AVX512_BF16 matmul kernels: bf16 is converted around float32 dots",
                backend="tensorflow", jit="on"),
    Expectation(X86_AMX, "mixed_bfloat16", 1.5,
                "PyTorch runs bf16 matmuls through oneDNN on AMX tiles: the small step measured 2.78x (95% CI "
                "2.75-2.87) eager on an Intel Xeon with AMX, its matmuls alone 5.56x", backend="torch"),
    Expectation(X86_AMX, "mixed_bfloat16", None,
                "XLA:CPU (jaxlib 0.10) has no AMX or AVX512_BF16 matmul kernels: bf16 is converted around float32 dots",
                backend="jax"),
    *_fp16_rows(X86_AMX),
    # The convnet and the transformer at `small` on the same Xeon (eager; 2026-12-01): the kernels alone gain (bf16
    # convolutions 1.4-1.8x under TensorFlow, 1.84x under PyTorch), the steps little or not at all: batch and layer
    # normalisation, casts, softmax and the optimizer run no faster in bf16 and at these sizes are most of the step
    # (efficiency 0.3-0.6). These rows hold bf16 to float32's speed less a margin, so a bf16 path that breaks (a
    # convolution or attention op falling off oneDNN, as float16's do) still fails.
    Expectation(X86_AMX, "mixed_bfloat16", 0.85,
                "no gain at this size: the bf16 convolutions alone run 1.4-1.8x float32's, but batch normalisation and the "
                "elementwise work around them do not speed up and dominate the small step (measured 0.99x and 1.03x, "
                "95% CIs from 0.95, on an Intel Xeon with AMX); the row guards against a slowdown", backend="tensorflow",
                jit="off", workload="conv"),
    Expectation(X86_AMX, "mixed_bfloat16", 0.9,
                "no gain at this size: the bf16 convolutions alone run 1.84x float32's, but batch normalisation and the "
                "elementwise work around them do not speed up (measured 1.08x, 95% CI 1.04-1.17, on an Intel Xeon with "
                "AMX); the row guards against a slowdown", backend="torch", workload="conv"),
    Expectation(X86_AMX, "mixed_bfloat16", 0.7,
                "no gain at this size: the small transformer's matmuls and attention are too small for bf16 to pay (its "
                "kernels alone 1.11x float32's under TensorFlow, 0.68x under PyTorch) and layer normalisation, softmax "
                "and casts do not speed up (measured 0.92x, 95% CI 0.89-0.99, TensorFlow; 0.86x, 0.79-0.94, PyTorch; an "
                "Intel Xeon with AMX); the row guards against a slowdown", jit="off", workload="transformer"),
    Expectation(X86_BF16_AMD, "mixed_bfloat16", None,
                "XLA:CPU has no AVX512_BF16 matmul kernels: bf16 is converted around float32 dots; the small "
                "profile's step measured 0.99x with jit_compile on a Zen 4 EPYC", backend="tensorflow", jit="on"),
    Expectation(X86_BF16_AMD, "mixed_bfloat16", 1.3,
                "oneDNN runs bf16 matmuls on AVX512_BF16; a 4096^3 matmul reaches 1.9x float32 on a "
                "Zen 4 EPYC, the small profile's step 1.7-1.9x", backend="tensorflow", jit="off"),
    Expectation(X86_BF16_AMD, "mixed_bfloat16", 1.5,
                "PyTorch runs bf16 matmuls through oneDNN on AVX512_BF16; the small profile's step measured "
                "2.11-2.15x eager and 2.09x under torch.compile on a Zen 4 EPYC", backend="torch"),
    Expectation(X86_BF16_AMD, "mixed_bfloat16", None,
                "XLA:CPU (jaxlib 0.10) has no AVX512_BF16 matmul kernels: bf16 is converted around float32 dots; "
                "the small profile's step measured 0.91x on a Zen 4 EPYC", backend="jax"),
    *_fp16_rows(X86_BF16_AMD),
    Expectation(X86_BF16_INTEL, "mixed_bfloat16", None,
                "on an Intel Xeon with AVX512_BF16 and no AMX, bf16 matmuls through TensorFlow reached 0.082 TFLOP/s "
                "against float32's 0.244 (0.34x) and the small step 165 ms against 105-156 ms", backend="tensorflow"),
    Expectation(X86_BF16_INTEL, "mixed_bfloat16", None,
                "XLA:CPU (jaxlib 0.10) has no AVX512_BF16 matmul kernels: bf16 is converted around float32 dots",
                backend="jax"),
    *_fp16_rows(X86_BF16_INTEL),
    *_fp16_rows(X86_BF16),
    Expectation(X86, "mixed_bfloat16", None,
                "without AVX512_BF16 or AMX, bfloat16 is converted in software: no speedup expected"),
    *_fp16_rows(X86),
    Expectation(NVIDIA_CC7, "mixed_float16", 2.0,
                "Volta/Turing tensor cores run float16 at 8x float32 peak"),
    Expectation(NVIDIA_CC7, "mixed_bfloat16", None,
                "compute capability 7.x has no bfloat16 tensor cores"),
    # Measured with studies/gpu_check.py on an H200 (driver 580.159.04, Keras 3.15.1, seed profile, 2026-11-28):
    # studies/results/h200-2026-11-28. JAX 0.11.2 runs float32 as TF32; PyTorch 2.11 leaves TF32 off.
    Expectation(NVIDIA_CC8, "mixed_float16", 1.6,
                "measured 2.02x (95% CI 2.00-2.03) against TF32 float32 on an H200 under JAX 0.11.2; the gate asks "
                "for 60% of that gain", float32="tf32", backend="jax"),
    Expectation(NVIDIA_CC8, "mixed_bfloat16", 1.6,
                "measured 2.06x (95% CI 2.04-2.08) against TF32 float32 on an H200 under JAX 0.11.2; the gate asks "
                "for 60% of that gain", float32="tf32", backend="jax"),
    Expectation(NVIDIA_CC8, "mixed_float16", 1.2,
                "float16 tensor cores at 2x TF32 peak; float32 already runs as TF32 there (JAX measured 2.02x on an "
                "H200; this backend not yet)", float32="tf32"),
    Expectation(NVIDIA_CC8, "mixed_bfloat16", 1.2,
                "bfloat16 tensor cores at 2x TF32 peak; float32 already runs as TF32 there (JAX measured 2.06x on an "
                "H200; this backend not yet)", float32="tf32"),
    Expectation(NVIDIA_CC8, "mixed_float16", 2.0,
                "against strict float32 (TF32 off, CUDA cores) float16 tensor cores have 15x the peak; measured 2.97-3.27x "
                "on an H200 under PyTorch 2.11, whose eager Keras step keeps the GPU busy a fifth of the time",
                float32="strict"),
    Expectation(NVIDIA_CC8, "mixed_bfloat16", 2.0,
                "against strict float32 (TF32 off, CUDA cores) bfloat16 tensor cores have 15x the peak; measured "
                "3.93-4.04x on an H200 under PyTorch 2.11, whose eager Keras step keeps the GPU busy a quarter of the time",
                float32="strict"),
)
# A row that expects a speedup was measured on the seed's MLP and gates it alone: a convolution's or attention's
# kernels gain differently. Other workloads take their own rows where measured, else the measured-ceiling rule.
EXPECTATIONS = tuple(r if r.min_speedup is None or r.workload else replace(r, workload="mlp") for r in EXPECTATIONS)


def device_class(info: DeviceInfo) -> str:
    """The table row family that describes the device running the model."""
    if info.gpus:
        cc = info.gpus[0].capability  # reported, else implied by the model name
        major = int(cc.split(".")[0]) if cc else 0
        if major == 7:
            return NVIDIA_CC7
        if major >= 8:
            return NVIDIA_CC8
        return OTHER
    if info.cpu_arch in ("x86_64", "AMD64", "i686", "x86"):
        flags = set(info.cpu_flags)
        if "amx_bf16" in flags:
            return X86_AMX
        if "avx512_bf16" not in flags:
            return X86
        return {"AuthenticAMD": X86_BF16_AMD, "GenuineIntel": X86_BF16_INTEL}.get(info.cpu_vendor or "", X86_BF16)
    return OTHER


def parse_min_speedup(text: str) -> dict[str, float | None]:
    """'1.5' (every mixed policy) or 'mixed_bfloat16=1.5,mixed_float16=none' -> {policy: value}.

    ValueError with what is wrong; 'none' means no speedup is expected.
    """
    def number(raw: str, where: str) -> float | None:
        raw = raw.strip()
        if raw.lower() == "none":
            return None
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{where}: {raw!r} is not a number or 'none'") from None
        if not value > 0 or value != value or value == float("inf"):
            raise ValueError(f"{where}: {raw!r} must be a positive finite number")
        return value

    text = text.strip()
    if "=" not in text:
        value = number(text, "speedup")
        return {p: value for p in MIXED_POLICIES}
    out: dict[str, float | None] = {}
    for item in text.split(","):
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"{item.strip()!r} is not policy=value")
        validate_policy(name)
        if name == BASELINE:
            raise ValueError(f"{BASELINE} is the baseline; give minimum speedups for {', '.join(MIXED_POLICIES)}")
        out[name] = number(raw, name)
    return out


# The table's rows hold for the model's own sizes (seed, small). A harness-check profile (tiny) tests the timing:
# its 64-unit matmuls are too small for any precision to pay off (mixed_bfloat16 on a Zen 4 EPYC with
# AVX512_BF16 measured 0.99x on TensorFlow, 0.91x on PyTorch, 0.61x on JAX).
HARNESS_CHECK_REASON = ("a harness-check profile: at its sizes no precision's matmuls pay off "
                        "(tiny's mixed_bfloat16 measured 0.61-0.99x on a Zen 4 EPYC with AVX512_BF16)")


def expectation_for(info: DeviceInfo, policy: str, overrides: dict[str, float | None] | None = None,
                    tf32: bool | None = None, jit: str | None = None, harness_check: bool = False,
                    workload: str = "mlp") -> Expectation:
    """The expectation that gates `policy` on this device, an override winning over the table.

    `tf32`: whether the float32 baseline ran its matmuls as TF32 (None where the device has no TF32).
    `jit`: the compile mode the models ran under, resolved (on, off: mpmodel.core.policies.resolve_jit).
    `harness_check`: the profile only tests the timing harness, and expects no speedup anywhere.
    `workload`: the workload's name (rows measured on one workload gate it alone)."""
    cls = device_class(info)
    if overrides and policy in overrides:
        value = overrides[policy]
        reason = "set by --mp-min-speedup" if value is not None else "--mp-min-speedup says no speedup is expected"
        return Expectation(cls, policy, value, reason, source="--mp-min-speedup")
    if harness_check:
        return Expectation(cls, policy, None, HARNESS_CHECK_REASON)
    kind = None if tf32 is None else ("tf32" if tf32 else "strict")
    rows = [r for r in EXPECTATIONS if r.device_class == cls and r.policy == policy
            and r.backend in (None, info.backend) and r.float32 in (None, kind) and r.jit in (None, jit)
            and (r.cpu_flag is None or r.cpu_flag in info.cpu_flags) and r.workload in (None, workload)]
    def specificity(r):
        return (r.workload is None, r.backend is None, r.float32 is None, r.jit is None, r.cpu_flag is None)

    for row in sorted(rows, key=specificity):
        return row  # the most specific row first
    return Expectation(cls, policy, None, f"the expectations table has no row for {policy} on a {cls}"
                       + ("" if workload == "mlp" else f" for workload {workload}"), source=NO_ROW)


@dataclass(frozen=True)
class MemoryExpectation:
    """Whether a mixed policy's step peak should be below float32's on a device class, and by how much."""

    device_class: str
    max_ratio: float | None  # mixed step peak / float32's must be at most this; None: no saving expected
    reason: str


# The analytic step (mpmodel.core.memory.analytic_bytes) of the seed profile under a mixed policy holds 0.65 of
# float32's (half-size activations and weight copies, float32 gradients); 0.85 leaves room for the framework's
# workspaces. Not yet measured on a GPU: a starting value.
GPU_MEMORY_RATIO = 0.85
GPU_MEMORY_REASON = "half-size activations: the seed step's analytic peak is 0.65 of float32's (a starting value, not yet " \
                    "measured on a GPU)"
CPU_BF16_MEMORY = ("measured on a Zen 4 EPYC (small): mixed footprints 0.85-1.38x float32's across backends, float16 "
                   "always above: no saving to gate on")
MEMORY_EXPECTATIONS: dict[str, MemoryExpectation] = {
    **{cls: MemoryExpectation(cls, None, CPU_BF16_MEMORY) for cls in (X86_AMX, X86_BF16_AMD, X86_BF16_INTEL, X86_BF16)},
    X86: MemoryExpectation(X86, None, "without bf16/fp16 instructions the conversions add buffers: mixed step peaks "
                                      "of 1.3-1.6x float32's were reported on an AVX2 EPYC (TensorFlow, small; issue 12), "
                                      "not yet measured by test_memory"),
    NVIDIA_CC7: MemoryExpectation(NVIDIA_CC7, GPU_MEMORY_RATIO, GPU_MEMORY_REASON),
    NVIDIA_CC8: MemoryExpectation(NVIDIA_CC8, GPU_MEMORY_RATIO, GPU_MEMORY_REASON),
}


def memory_expectation_for(info: DeviceInfo, policy: str) -> MemoryExpectation:
    cls = device_class(info)
    row = MEMORY_EXPECTATIONS.get(cls)
    if row is None:
        return MemoryExpectation(cls, None, f"the memory table has no row for a {cls}")
    return row
