"""What the session says before it runs: the settings, then the profile, data, device and what each
mixed policy is expected to reach, so a reader knows which gate applies before any result."""

from __future__ import annotations

from mpmodel.core.kernels import ATTENTION, CONV, MATMUL
from mpmodel.core.policies import MIXED_POLICIES
from mpmodel.core.profiles import flops_per_step, step_kernels
from mpmodel.core.recipes import GATE_RECIPE
from mpmodel.core.workload import uncounted_kernels
from mpmodel.measure.expectations import NO_ROW, device_class
from mpmodel.measure.looks import ACCURACY_CONFIDENCE
from mpmodel.measure.rounds import ROUND_TARGET_S, TIMING_METHOD, WARMUP_MIN_S
from mpmodel.measure.summary import clip
from mpmodel.plugin.run_context import RunContext
from mpmodel.plugin.settings import Settings


def settings_line(s: Settings) -> str:
    tolerance = s.accuracy_tol if s.accuracy_tol is not None else "workload"
    workloads = "auto" if s.workloads_auto else ",".join(w.name for w in s.workloads)
    return (f"mpmodel: workload={workloads} profile={s.profile} "
            f"policies={','.join(s.policies)} jit={','.join(s.jit)} "
            f"fp32={','.join(s.fp32)} data={s.data}{' (offline)' if s.offline else ''} "
            f"accuracy_tol={tolerance} accuracy_seeds={s.accuracy_seeds or 'profile'} "
            f"min_speedup={s.min_speedup or 'table'} design={s.design}"
            f"{f' budget={s.budget:g}min' if s.budget is not None else ''}{' slow_policies' if s.slow_policies else ''}")


def kernels_line(p) -> str:
    """What the FLOPs and the speed of light count: the workload's own kernels, or its Dense layers alone."""
    kernels = step_kernels(p)
    count = ", ".join(f"{sum(k.op == op for k in kernels)} {op}" for op in (MATMUL, CONV, ATTENTION)
                      if any(k.op == op for k in kernels))
    line = f"mpmodel kernels: {flops_per_step(p) / 1e9:.3g} GFLOP a step ({count or 'none'})"
    missing = uncounted_kernels(p.workload, p.size)
    if missing:
        line += (f"; read from the Dense layers, so these layers' work is not counted: {', '.join(missing)} "
                 "(the workload's step_kernels can give it)")
    return line


SCREEN = 200  # the widest line the session prints at default verbosity (-v prints every line whole)


def fit_screen(line: str, verbose: bool = False) -> str:
    """`line` as printed: whole under -v, else cut to SCREEN characters at a word, saying so."""
    return line if verbose else clip(line, SCREEN, " [... -v: whole]")


def context_lines(ctx: RunContext, verbose: bool = True) -> list[str]:
    """Profile, data, device and the expectation for every mixed policy, compile mode and float32 variant; the
    timing method under -v alone (`verbose`)."""
    p, data = ctx.profile, ctx.data
    why = f"; {data.note}" if data.note else ""
    w = p.workload
    spec = f" from {w.spec}" if w.spec else ""
    lines = ([f"mpmodel workload: {w.name} v{w.version} ({w.description}){spec}",
              f"mpmodel profile: {p.name} ({p.describe()}; {p.description})"] if verbose else
             [f"mpmodel workload: {w.name} v{w.version}{spec}, profile {p.name} ({p.describe()}): {w.description}"])
    lines += [f"mpmodel accuracy: {ctx.fit_seeds('test_accuracy')} paired seeds of the {GATE_RECIPE.name} recipe, pass "
              f"where the {ACCURACY_CONFIDENCE:.0%} lower bound of the mean drop is within {ctx.accuracy_tol}; the seed's "
              f"recipe reported over {ctx.fit_seeds('test_seed_recipe_accuracy')} seed(s)"
              + (f" ({GATE_RECIPE.name}: {GATE_RECIPE.description})" if verbose else ""),
              f"mpmodel data: {data.source} ({data.x_train.shape[0]} train / {data.x_test.shape[0]} test{why})",
              kernels_line(p),
              f"mpmodel device: {ctx.device.summary()}"]
    if verbose:
        lines.append(f"mpmodel device class: {device_class(ctx.device)}")
        lines.append(f"mpmodel timing: {TIMING_METHOD}: each round K steps and one host sync, K chosen per model so a "
                     f"round lasts >= {ROUND_TARGET_S} s; warm-up >= {WARMUP_MIN_S:g} s")
    ceiling_rule = ("not gated: the ceiling would be partial (the counted kernels leave layers out)"
                    if uncounted_kernels(p.workload, p.size) else "half the gain of the measured ceiling")
    expected = []
    for variant in ctx.fp32_variants:
        with ctx.float32_matmuls(variant):
            tf32 = ctx.tf32()
        against = "" if tf32 is None else f" against float32 {variant} (TF32 {'on' if tf32 else 'off'})"
        for mode in ctx.settings.jit:
            for policy in ctx.settings.policies:
                if policy in MIXED_POLICIES:
                    e = ctx.expectation(policy, tf32, mode)
                    want = (f">= {e.min_speedup}x" if e.min_speedup is not None else
                            ceiling_rule if e.source == NO_ROW else "no speedup expected")
                    expected.append((f"{policy} (jit {mode}){against}", want, e))
    if verbose:
        lines += [f"mpmodel expects {step}: {want} ({e.source}: {e.reason})" for step, want, e in expected]
    elif expected:
        sources = sorted({e.source for _, _, e in expected})
        lines.append(f"mpmodel expects ({device_class(ctx.device)}): "
                     + ", ".join(f"{step} {want}" for step, want, _ in expected)
                     + f" ({', '.join(sources)}; -v: why)")
    return lines
