"""The identity of a measured step: a precision policy, a compile mode and a float32 variant, built once per
benchmark and passed whole (to the speed of light, the step probe, the memory child, the expectations)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mpmodel.core.policies import BASELINE, JIT_MODES

ANY_VARIANT = "any"  # a mixed policy's step: the float32 variant changes float32's matmuls alone (TF32)


@dataclass(frozen=True, order=True)
class StepKey:
    """`policy` under the compile mode `jit` (auto, on, off) beside float32 in the variant `fp32`."""

    policy: str
    jit: str
    fp32: str

    def __post_init__(self):
        if self.jit not in JIT_MODES:
            raise ValueError(f"compile mode {self.jit!r}: valid modes: {', '.join(JIT_MODES)}")

    def with_policy(self, policy: str) -> StepKey:
        return replace(self, policy=policy)

    @property
    def float32(self) -> StepKey:
        """float32's step under the same compile mode and variant: the baseline every gate compares with."""
        return self.with_policy(BASELINE)

    def same_step(self, jit: str | None = None) -> StepKey:
        """The key of the step as run: the float32 variant matters to float32 alone, so a mixed policy's step is
        the same under every variant; `jit`, where given, is an equivalent compile mode to file it under."""
        return StepKey(self.policy, jit or self.jit, self.fp32 if self.policy == BASELINE else ANY_VARIANT)

    def describe(self) -> str:
        """'mixed_bfloat16 (jit auto)', 'float32 (jit off, float32 default)'."""
        variant = f", float32 {self.fp32}" if self.policy == BASELINE else ""
        return f"{self.policy} (jit {self.jit}{variant})"
