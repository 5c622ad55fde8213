"""An error in one line, for messages and the probe's events."""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """'Type: its first line' (JAX and TensorFlow add pages of context after it), at most 300 characters."""
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {first}"[:300]
