"""--mp-budget in a session: once every workload's probes have run, the run's most predicted under each candidate
cut (mpmodel.measure.budget) and the fewest cuts that fit kept in the session, which the benchmarks then obey."""

from __future__ import annotations

from mpmodel.measure.budget import Asked, Cuts, OverBudget, plan
from mpmodel.measure.looks import speedup_design
from mpmodel.plugin.preflight import planned_tests, prediction
from mpmodel.plugin.run_context import RunContext


def asked(contexts: list[RunContext], items) -> Asked:
    """What the run measures uncut."""
    tests = {ctx.profile.workload.name: planned_tests(ctx, items) for ctx in contexts}

    def runs(ctx, test):
        return any(name == test for name, _ in tests[ctx.profile.workload.name])

    return Asked(
        pairs={ctx.profile.workload.name: (ctx.profile.timing_pairs,
                                           speedup_design("sequential", ctx.profile.timing_pairs).first)
               for ctx in contexts if runs(ctx, "test_speedup")},
        accuracy_seeds={ctx.profile.workload.name: ctx.fit_seeds("test_accuracy") for ctx in contexts
                        if runs(ctx, "test_accuracy")},
        seed_recipe_seeds={ctx.profile.workload.name: ctx.fit_seeds("test_seed_recipe_accuracy") for ctx in contexts
                           if runs(ctx, "test_seed_recipe_accuracy")},
        fp32=tuple(dict.fromkeys(key.fp32 for ts in tests.values() for _, key in ts)),
        workloads=tuple(name for name, ts in tests.items() if ts),
    )


def plan_session(contexts: list[RunContext], items, spent_s: float) -> str:
    """Plan the run within the session's --mp-budget: the cuts kept in the shared session, the one line that says
    what was cut; OverBudget (its one line) where even the least run does not fit."""
    budget = contexts[0].settings.budget

    def predicted_s(cuts: Cuts) -> float:
        return spent_s + sum(prediction(ctx, planned_tests(ctx, items), 0.0, cuts).seconds for ctx in contexts)

    cuts, line = plan(budget * 60, asked(contexts, items), predicted_s)
    contexts[0].session.cuts = cuts
    return line


__all__ = ["OverBudget", "plan_session"]
