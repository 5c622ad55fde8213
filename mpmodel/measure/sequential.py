"""Sequential gates: a gate looks at its interval at planned points and stops once its verdict is known.

Both gates decide from one interval against one threshold. The speedup gate passes where the lower end of the
median pair ratio's two-sided interval lies at or above its floor; the accuracy gate passes where the lower
bound of the mean paired delta lies at or above -tolerance. Each gate's error is passing a policy that misses
its threshold: at most 2.5% (speedup: one side of a 95% interval) or 5% (accuracy: a 95% one-sided bound).

The fixed design looks once, at the profile's count (pairs, seeds). The sequential design looks up to `LOOKS`
times up to that count and spends the same error over its looks (Bonferroni): the interim looks share
`INTERIM_SHARE` of it, each at a stricter confidence, and the last look has the rest (all that the interim looks'
intervals really spent left over: an order-statistic interval's whole ranks spend less than asked). A union bound holds the
total at the gate's level whatever the looks' correlation, so no look can raise it. An interim look stops the
gate where its interval lies wholly on one side of the threshold: at or above it (pass), or wholly below it
(fail); the last look decides as the fixed design does, at its own confidence. Plain Python (docs/gates.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from mpmodel.measure.results import LooksResult

DESIGNS = ("sequential", "fixed")
LOOKS = 3  # at most: two interim looks and the last
INTERIM_SHARE = 0.2  # of the gate's error, spent over the interim looks; the last look gets the rest


@dataclass(frozen=True)
class Look:
    count: int  # pairs or seeds measured when the gate looks
    confidence: float  # of the interval it looks at (two-sided for the speedup, one-sided for accuracy)


@dataclass(frozen=True)
class Design:
    name: str  # "sequential" or "fixed"
    looks: tuple[Look, ...]

    @property
    def maximum(self) -> int:
        return self.looks[-1].count

    @property
    def first(self) -> int:
        return self.looks[0].count


def plan(name: str, maximum: int, confidence: float, least: Callable[[float], int],
         spent: Callable[[int, float], float] | None = None) -> Design:
    """The looks of design `name` for a gate of `confidence` measured up to `maximum`; `least(c)` is the smallest
    count at which an interval of confidence c exists, `spent(count, c)` the error such an interval really has
    (1 - c where not given; less for an interval with whole ranks), so that the last look gets all the error the
    interim looks leave. Where no interim look fits under the maximum, the sequential design is the fixed one."""
    if name not in DESIGNS:
        raise ValueError(f"{name!r} is not a design ({', '.join(DESIGNS)})")
    alpha = 1.0 - confidence
    spent = spent or (lambda count, c: 1.0 - c)
    if name == "sequential":
        for interim in range(LOOKS - 1, 0, -1):
            each = 1.0 - INTERIM_SHARE * alpha / interim
            first = max(least(each), least(1.0 - (1 - INTERIM_SHARE) * alpha))
            if maximum - first >= interim:  # each interim look at its own count, below the last
                step = (maximum - first) / interim
                counts = [first + math.floor(i * step) for i in range(interim)]
                last = alpha - sum(spent(c, each) for c in counts)
                return Design(name, tuple(Look(c, each) for c in counts) + (Look(maximum, 1.0 - last),))
    return Design("fixed", (Look(maximum, confidence),))


def outcome(low: float, high: float, threshold: float) -> str | None:
    """'pass' where the interval lies at or above the threshold, 'fail' where wholly below, None where it
    straddles it."""
    if low >= threshold:
        return "pass"
    if high < threshold:
        return "fail"
    return None


def percent(confidence: float) -> str:
    """0.95 -> '95%', 0.995 -> '99.5%', 0.99667 -> '99.67%'."""
    return f"{confidence * 100:.2f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Stop:
    """Where a gate stopped measuring, why, and the interval that decided it."""

    design: str
    count: int
    maximum: int
    look: int  # 1-based
    looks: int
    confidence: float
    why: str  # "cleared", "below", "last look", "no threshold", "not finite"
    low: float | None = None  # the deciding interval; None where it had a non-finite value
    high: float | None = None

    @property
    def decided(self) -> bool:
        """Whether a look's interval decided (at its own confidence), rather than nothing to decide or a non-finite
        value."""
        return self.why in ("cleared", "below", "last look")

    def describe(self, unit: str, threshold: str) -> str:
        """'stopped at look 1 of 3, 9 of up to 15 pairs: the interval cleared the floor' and the like; `unit`
        is what is counted (pairs, seeds), `threshold` what it is decided against (the floor, -tolerance)."""
        if self.design == "fixed":
            return f"{self.count} {unit}, the fixed design's one look"
        if self.why == "last look":
            return f"{self.count} {unit}: the sequential design's last look ({self.look} of {self.looks}) decided it"
        return f"stopped at look {self.look} of {self.looks}, {self.count} of up to {self.maximum} {unit}: " + {
            "cleared": f"the interval cleared {threshold}, which no further {unit} could change",
            "below": f"the interval lay wholly below {threshold}, which no further {unit} could change",
            "no threshold": f"nothing to decide against, so the first look's {unit} are recorded",
            "not finite": "a non-finite value decides it",
        }[self.why]

    def fields(self) -> dict:
        """The saved result's record of it."""
        return LooksResult(self.design, self.count, self.maximum, self.look, self.looks, self.confidence, self.why,
                           self.low, self.high).fields()


def run(design: Design, measure: Callable[[int], None], interval: Callable[[int, float], tuple[float, float] | None],
        threshold: float | None) -> Stop:
    """Measure up to each look in turn (`measure(count)`) and stop at the first whose interval
    (`interval(count, confidence)`: (low, high), or None where a value is not finite) decides against
    `threshold` (None: nothing to decide, so the first look ends it); the last look ends it anyway."""
    n = len(design.looks)
    for i, look in enumerate(design.looks, start=1):
        measure(look.count)
        bounds = interval(look.count, look.confidence)
        if bounds is None:
            why = "not finite"
        elif threshold is None:
            why = "no threshold"
        elif i == n:
            why = "last look"
        else:
            why = {"pass": "cleared", "fail": "below", None: None}[outcome(*bounds, threshold)]
        if why is not None:
            low, high = bounds or (None, None)
            return Stop(design.name, look.count, design.maximum, i, n, look.confidence, why, low, high)
    raise ValueError("a design with no looks")
