"""CUDA and cuDNN versions in one form under every backend: CUDA as `13.0`, cuDNN as `9.19.0`.

The frameworks report them differently: PyTorch's `torch.version.cuda` is "13.0" and its cuDNN an integer
(91900); JAX's runtime gives both as integers (13000, 91900); TensorFlow's build info gives strings ("12.5.1",
"9"). Saved runs keep what their release recorded, so a run's context formats them again when it is read,
and two runs on the same libraries never differ by spelling alone.
"""

from __future__ import annotations


def _read(value) -> tuple[int | None, str | None]:
    """(the value as an integer where it is all digits, the value as stripped text); (None, None) for nothing."""
    if value is None or str(value).strip() == "":
        return None, None
    text = str(value).strip()
    return (int(text) if text.isdigit() else None), text


def cuda_version(value) -> str | None:
    """`13.0` from 13000 (cudaRuntimeGetVersion: 1000 * major + 10 * minor), "13.0", or "12.5.1" (kept whole);
    None for None or an empty value."""
    number, text = _read(value)
    if number is None:
        return text
    if number < 1000:  # a bare major version: "12"
        return f"{number}.0"
    return f"{number // 1000}.{number % 1000 // 10}"


def cudnn_version(value) -> str | None:
    """`9.19.0` from 91900 (cuDNN 9 on: 10000 * major + 100 * minor + patch), `8.9.7` from 8907 (cuDNN 8 and
    before: 1000 * major + 100 * minor + patch), "9.19.0" as it is, "9" (TensorFlow's major alone) as `9`;
    None for None or an empty value."""
    number, text = _read(value)
    if number is None:
        return text
    if number < 100:  # a bare major version: TensorFlow's build info
        return str(number)
    if number >= 10000:
        return f"{number // 10000}.{number % 10000 // 100}.{number % 100}"
    return f"{number // 1000}.{number % 1000 // 100}.{number % 100}"
