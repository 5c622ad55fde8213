"""The sentences a crawling step is reported in, from the probe's measured figures: pure functions beside the
probe (mpmodel.measure.probe), which the run context fills with this run's numbers. Plain Python."""

from __future__ import annotations

from mpmodel.measure.ceilings import SpeedOfLight
from mpmodel.measure.cost import MEMORY_PROBE_STEPS, minutes
from mpmodel.measure.probe import CRAWL_FACTOR, ProbedStep, crawls, seconds, slowdown

NOT_DIAGNOSED = "{backend} has no graph-rewrite switch the probe can try, so the cause is not diagnosed"


def fusion_cause(op_fusion: str, short: str, fused_kernels: str, off: ProbedStep, base: ProbedStep) -> str:
    """Where the time went, from the step probed again with the backend's op fusion (`op_fusion`) off."""
    if off.error is not None:
        return f"with {op_fusion} off {off.describe()}, so the cause is not known"
    where = (f"{short}'s fused kernels ({fused_kernels}) are where the time went" if not crawls(off, base)
             else f"{short} is not where the time went")
    return f"with {op_fusion} off its step takes {off.short()}, {slowdown(off, base)} float32's: {where}"


def crawl_evidence(policy: str, mixed: ProbedStep, base: ProbedStep, sol: SpeedOfLight, cause: str) -> str:
    """The probe's measured steps, the kernels' time, the efficiency and the cause, in one sentence."""
    bound = "at most " if mixed.stopped else ""
    return (f"{policy}'s step takes {mixed.short()} here, {slowdown(mixed, base)} float32's "
            f"{seconds(base.step_s)} (the crawl rule: over {CRAWL_FACTOR:g}x); its kernels alone take "
            f"{seconds(sol.seconds)} ({sol.tflops * 1e3:.3g} GFLOP/s), step efficiency {bound}"
            f"{sol.seconds / mixed.step_s:.2g}; {cause}")


def crawl_headline(evidence: str) -> str:
    """'crawling: ' and the evidence's first clause (the step against float32's): a summary's footnote."""
    return f"crawling: {evidence.split('; ')[0]}"


def would_take(seconds_needed: float, stopped: bool) -> str:
    """'would take about 20 s' ('at least' where the probe stopped the step at its limit)."""
    return f"would take {'at least ' if stopped else ''}about {minutes(seconds_needed)}"


def test_work(test: str, seeds: int) -> str:
    """What `test` does with a policy's step, in a few words."""
    return {"test_step_time": "timing its steps", "test_speedup": "timing its steps against float32's",
            "test_accuracy": f"its {seeds} accuracy fits",
            "test_seed_recipe_accuracy": f"its {seeds} fits of the seed's recipe",
            "test_memory": f"measuring its step memory ({MEMORY_PROBE_STEPS} steps in a child process)"}[test]


def crawl_reason(test: str, seeds: int, facts: str, would: str) -> str:
    """'crawling: ' with the measured figures, and how long `test` would have taken."""
    return f"crawling: {facts}; {test_work(test, seeds)} {would}; --mp-slow-policies runs it"
