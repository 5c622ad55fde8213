"""What the plugin adds to pytest-benchmark's saved runs and comparisons: the session's settings,
device state and gate verdicts at the top level of the JSON, and the context facts that differ
from a compared run."""

from __future__ import annotations

from dataclasses import asdict

from mpmodel.measure.budget import NO_CUTS
from mpmodel.measure.context import describe, diff
from mpmodel.plugin.run_context import RunContext
from mpmodel.plugin.settings import Settings

FORMAT = 1


def budget_cuts(contexts: list[RunContext]) -> dict | None:
    """What --mp-budget cut from the run (mpmodel.measure.budget.Cuts), None where it cut nothing."""
    cuts = contexts[0].session.cuts if contexts else NO_CUTS
    return None if cuts == NO_CUTS else {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(cuts).items()}


def run_record(settings: Settings, device_state: dict | None, verdicts: list, contexts: list[RunContext]) -> dict:
    """output_json["mpmodel"]: settings, device state over the session, every gate's verdict (the SuiteSession's)
    and every crawling mixed step of each workload's context."""
    return {
        "format": FORMAT,
        "settings": {"workloads": [w.spec or w.name for w in settings.workloads], "profile": settings.profile,
                     "policies": list(settings.policies), "jit": list(settings.jit),
                     "fp32": list(settings.fp32), "data": settings.data, "offline": settings.offline,
                     "accuracy_tol": settings.accuracy_tol, "accuracy_seeds": settings.accuracy_seeds,
                     "seed_recipe_seeds": settings.seed_recipe_seeds,
                     "min_speedup": settings.min_speedup, "design": settings.design, "budget_minutes": settings.budget,
                     "budget_cuts": budget_cuts(contexts)},
        "device_state": device_state,
        "verdicts": [{"test": t, "outcome": o, "message": m} for t, o, m in verdicts],
        "crawling": [c for ctx in contexts for c in ctx.crawling_policies()],  # mixed steps over the crawl rule's factor
    }


def context_changes(saved_machine_info: dict, machine_info: dict) -> list[str]:
    """The facts that differ between a compared run and this one; data only where this run has loaded it."""
    current = machine_info.get("mpmodel") or {}
    return diff(describe(saved_machine_info), describe(machine_info), ignore=() if current.get("data") else ("data",))
