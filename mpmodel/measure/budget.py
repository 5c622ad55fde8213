"""A run planned within a time budget (--mp-budget): what to cut, in order, until the predicted run fits.

The cuts, each on top of the ones before, from the one that loses least to the one that loses most:
1. the speedup gate's pairs down to its sequential design's first look (the count it often stops at anyway);
2. the accuracy gate's seeds down to 2 (the fewest a bound exists for), and the seed recipe's reported fits;
3. the float32 variants down to the framework's default (strict TF32-off goes);
4. the workloads, the last one named first, down to the first.
The run is held to its most (every gate measuring to its last look), so it fits whatever the looks decide.
Plain Python: the prediction of each candidate comes from the caller (mpmodel.plugin.budget).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from mpmodel.core.matmul_precision import FP32_VARIANTS
from mpmodel.measure.cost import minutes

DEFAULT_FP32 = FP32_VARIANTS[0]
LEAST_SEEDS = 2  # a confidence bound on the mean needs two paired deltas


@dataclass(frozen=True)
class Cuts:
    """What a budget cut from the run; None: nothing of that kind."""

    pairs: int | None = None  # the speedup gate's most pairs
    accuracy_seeds: int | None = None
    seed_recipe_seeds: int | None = None
    fp32: tuple[str, ...] | None = None  # the float32 variants kept
    workloads: tuple[str, ...] | None = None  # the workloads kept

    def cut(self, workload: str, fp32: str) -> str | None:
        """What of this step the cuts removed, in words; None where it runs."""
        if self.workloads is not None and workload not in self.workloads:
            return f"workload {workload}"
        if self.fp32 is not None and fp32 not in self.fp32:
            return f"the float32 {fp32} variant"
        return None


NO_CUTS = Cuts()


@dataclass(frozen=True)
class Asked:
    """What the run would measure uncut: each workload's pairs and seeds, the float32 variants and the workloads."""

    pairs: dict[str, tuple[int, int]]  # workload -> (profile's pairs, the sequential design's first look)
    accuracy_seeds: dict[str, int]
    seed_recipe_seeds: dict[str, int]
    fp32: tuple[str, ...]
    workloads: tuple[str, ...]


def candidates(asked: Asked) -> list[tuple[Cuts, str]]:
    """Each cut on top of the ones before, with what it cuts in words; only the cuts that change something."""
    out: list[tuple[Cuts, str]] = []
    cuts = NO_CUTS
    most = {w: p for w, (p, _) in asked.pairs.items()}
    first = min(f for _, f in asked.pairs.values()) if asked.pairs else None
    if first is not None and any(p > first for p in most.values()):
        cuts = replace(cuts, pairs=first)
        out.append((cuts, f"speedup pairs {'/'.join(str(p) for p in sorted(set(most.values())))} -> {first}"))
    if any(s > LEAST_SEEDS for s in asked.accuracy_seeds.values()):
        cuts = replace(cuts, accuracy_seeds=LEAST_SEEDS)
        out.append((cuts, f"accuracy seeds {max(asked.accuracy_seeds.values())} -> {LEAST_SEEDS}"))
    if any(s > 0 for s in asked.seed_recipe_seeds.values()):
        cuts = replace(cuts, seed_recipe_seeds=0)
        out.append((cuts, "the seed recipe's reported fits"))
    if len(asked.fp32) > 1 and DEFAULT_FP32 in asked.fp32:
        cuts = replace(cuts, fp32=(DEFAULT_FP32,))
        out.append((cuts, f"the float32 {', '.join(v for v in asked.fp32 if v != DEFAULT_FP32)} variant"))
    for n in range(len(asked.workloads) - 1, 0, -1):
        cuts = replace(cuts, workloads=asked.workloads[:n])
        out.append((cuts, f"workload {asked.workloads[n]}"))
    return out


class OverBudget(ValueError):
    """Even the run with every cut does not fit the budget."""


def plan(budget_s: float, asked: Asked, predict: Callable[[Cuts], float]) -> tuple[Cuts, str]:
    """The fewest cuts whose predicted run (its most, `predict(cuts)` seconds) fits `budget_s`, and the one line
    that says so; OverBudget with its line where even every cut does not fit."""
    head = f"mpmodel budget: {minutes(budget_s)} (--mp-budget)"
    whole = predict(NO_CUTS)
    if whole <= budget_s:
        return NO_CUTS, f"{head}: the run takes up to {minutes(whole)}, nothing cut"
    said = []
    for cuts, what in candidates(asked):
        said.append(what)
        predicted = predict(cuts)
        if predicted <= budget_s:
            return cuts, (f"{head}: the run would take up to {minutes(whole)}; cut to fit: {', '.join(said)}; "
                          f"now up to {minutes(predicted)}")
    least = predict(candidates(asked)[-1][0]) if said else whole
    cut = f" with every cut ({', '.join(said)})" if said else ""
    raise OverBudget(f"--mp-budget {budget_s / 60:g}: even the least run{cut} takes up to {minutes(least)}, "
                     f"over the budget; raise it, or narrow the run (--mp-policies, --mp-workload, --mp-memory off)")
