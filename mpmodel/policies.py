"""The precision policies the suite compares, and their validation."""

from __future__ import annotations

BASELINE = "float32"
MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")
POLICIES = (BASELINE, *MIXED_POLICIES)


def validate_policy(name: str) -> str:
    """Return `name` if it is a known policy; ValueError listing the valid ones otherwise."""
    if name not in POLICIES:
        raise ValueError(f"unknown policy {name!r}; valid policies: {', '.join(POLICIES)}")
    return name


def parse_policy_list(text: str) -> tuple[str, ...]:
    """'float32,mixed_bfloat16' -> ('float32', 'mixed_bfloat16'), validated, in table order."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise ValueError(f"no policy named in {text!r}; valid policies: {', '.join(POLICIES)}")
    for name in names:
        validate_policy(name)
    return tuple(p for p in POLICIES if p in names)
