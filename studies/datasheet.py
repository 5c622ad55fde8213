"""What NVIDIA's datasheets promise: dense matmul peaks per GPU model and math mode, in TFLOP/s.

The suite's own speed of light says what a device's matmuls reach at the step's shapes; the datasheet
says what they could reach at best (boost clock, ideal shapes). Their ratio shows whether a low
ceiling is the kernels' (far below the datasheet) or the device's (near it). Figures are the
datasheets' dense ones (NVIDIA prints sparse figures twice as high beside them); a model missing
here has no datasheet figure, never a guessed one.
"""

from __future__ import annotations

from dataclasses import dataclass

# The math a policy's matmuls run in: float32 as TF32 or strict (CUDA cores), bf16, fp16 (tensor cores).
FP32, TF32, BF16, FP16 = "fp32", "tf32", "bf16", "fp16"


@dataclass(frozen=True)
class Datasheet:
    product: str
    peaks: dict[str, float]  # math mode -> dense TFLOP/s; a mode missing is one the GPU lacks


# Most specific names first: "H100 NVL" before "H100 PCIe" before "H100".
DATASHEETS: tuple[tuple[str, Datasheet], ...] = (
    ("H200 NVL", Datasheet("H200 NVL", {FP32: 60.0, TF32: 417.5, BF16: 835.5, FP16: 835.5})),
    ("H200", Datasheet("H200 SXM", {FP32: 67.0, TF32: 494.7, BF16: 989.4, FP16: 989.4})),
    ("H100 NVL", Datasheet("H100 NVL", {FP32: 60.0, TF32: 417.5, BF16: 835.5, FP16: 835.5})),
    ("H100 PCIe", Datasheet("H100 PCIe", {FP32: 51.0, TF32: 378.0, BF16: 756.0, FP16: 756.0})),
    ("H100", Datasheet("H100 SXM", {FP32: 67.0, TF32: 494.7, BF16: 989.4, FP16: 989.4})),
    ("A100", Datasheet("A100", {FP32: 19.5, TF32: 156.0, BF16: 312.0, FP16: 312.0})),
    ("L40S", Datasheet("L40S", {FP32: 91.6, TF32: 183.0, BF16: 362.0, FP16: 362.0})),
    ("L4", Datasheet("L4", {FP32: 30.3, TF32: 60.0, BF16: 121.0, FP16: 121.0})),
    ("A10", Datasheet("A10", {FP32: 31.2, TF32: 62.5, BF16: 125.0, FP16: 125.0})),
    ("T4", Datasheet("T4", {FP32: 8.1, FP16: 65.0})),
    ("V100", Datasheet("V100 SXM2", {FP32: 15.7, FP16: 125.0})),
)


def datasheet_for(gpu_name: str | None) -> Datasheet | None:
    """The datasheet of the model `gpu_name` names ('NVIDIA H100 80GB HBM3' -> H100 SXM), None if unknown."""
    text = f" {(gpu_name or '').replace('-', ' ')} "  # 'NVIDIA A100-SXM4-80GB' -> ' NVIDIA A100 SXM4 80GB '
    for model, sheet in DATASHEETS:
        if f" {model} " in text:  # whole words: 'A10' is not 'A100', 'L4' is not 'L40S'
            return sheet
    return None


def math_mode(policy: str, tf32: bool | None) -> str:
    """The math a policy's matmuls run in on an NVIDIA GPU: float32 as TF32 where it was allowed."""
    if policy == "mixed_bfloat16":
        return BF16
    if policy == "mixed_float16":
        return FP16
    return TF32 if tf32 else FP32


def datasheet_peak(gpu_name: str | None, policy: str, tf32: bool | None) -> tuple[str, float] | None:
    """(product, dense TFLOP/s) for the policy's math on this GPU; None where no figure is known."""
    sheet = datasheet_for(gpu_name)
    if sheet is None:
        return None
    peak = sheet.peaks.get(math_mode(policy, tf32))
    return None if peak is None else (sheet.product, peak)
