"""Parsers for option values that both the pytest options and the history CLI take.

Each raises ValueError with a message that names the value and what is valid; callers add where
the value came from (an option, an ini file, the environment).
"""

from __future__ import annotations

import math


def parse_choices(text: str, choices: tuple[str, ...], noun: str, valid: str, lower: bool = False) -> tuple[str, ...]:
    """A comma list of names from `choices`, validated, returned in `choices` order.

    ValueError 'unknown <noun> <name>; <valid>' or 'no <noun> in <text>; <valid>'."""
    names = [part.strip() for part in str(text).split(",") if part.strip()]
    names = [n.lower() for n in names] if lower else names
    if not names:
        raise ValueError(f"no {noun} in {text!r}; {valid}")
    for name in names:
        if name not in choices:
            raise ValueError(f"unknown {noun} {name!r}; {valid}")
    return tuple(c for c in choices if c in names)


def choice_rank(choices: tuple[str, ...], name: str) -> tuple[int, str]:
    """Sort key of a name as tables show it: in `choices` order, then any other name alphabetically."""
    return (choices.index(name), "") if name in choices else (len(choices), str(name))


def parse_fraction(text) -> float:
    """A fraction in [0, 1), e.g. a tolerance or a relative threshold; ValueError otherwise."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not 0.0 <= value < 1.0:
        raise ValueError(f"{text!r} must be a fraction in [0, 1), e.g. 0.1 for 10%")
    return value
