"""The precision policies and compile modes the suite compares, and their validation."""

from __future__ import annotations

from mpmodel.core.backends import traits
from mpmodel.core.parsing import parse_choices

BASELINE = "float32"
MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")
POLICIES = (BASELINE, *MIXED_POLICIES)


JIT_MODES = ("auto", "on", "off")  # Keras's jit_compile: "auto", True, False


def parse_jit_list(text: str) -> tuple[str, ...]:
    """'auto,off' -> ('auto', 'off'): compile modes, validated, in JIT_MODES order."""
    return parse_choices(text, JIT_MODES, "compile mode", f"valid modes: {', '.join(JIT_MODES)}", lower=True)


def keras_jit_compile(mode: str):
    """The value of `Model.compile(jit_compile=...)` for a compile mode."""
    return {"auto": "auto", "on": True, "off": False}[mode]


def resolve_jit(mode: str, backend: str | None, gpu_visible: bool) -> str:
    """"on" or "off": what Keras 3 resolves a compile mode to. "auto" is XLA on JAX, XLA on TensorFlow only when
    a GPU is visible, and eager on PyTorch. The model's own `jit_compile` is the truth (`ran_jit`); this is for
    saying ahead of time which expectation will apply."""
    if mode != "auto":
        return mode
    known = traits(backend)
    return "on" if known is not None and known.auto_compiles(gpu_visible) else "off"


def ran_jit(model) -> str:
    """"on" or "off": the compile mode a compiled Keras model resolved to (its `jit_compile`)."""
    return "on" if model.jit_compile else "off"


def validate_policy(name: str) -> str:
    """Return `name` if it is a known policy; ValueError listing the valid ones otherwise."""
    if name not in POLICIES:
        raise ValueError(f"unknown policy {name!r}; valid policies: {', '.join(POLICIES)}")
    return name


def parse_policy_list(text: str) -> tuple[str, ...]:
    """'float32,mixed_bfloat16' -> ('float32', 'mixed_bfloat16'), validated, in table order."""
    return parse_choices(text, POLICIES, "policy", f"valid policies: {', '.join(POLICIES)}")
