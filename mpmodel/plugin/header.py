"""What the session says before it runs: the settings, then the profile, data, device and what each
mixed policy is expected to reach, so a reader knows which gate applies before any result."""

from __future__ import annotations

from mpmodel.core.policies import MIXED_POLICIES, expected_jit_compile
from mpmodel.measure.expectations import NO_ROW, device_class
from mpmodel.measure.rounds import ROUND_TARGET_S, TIMING_METHOD, WARMUP_MIN_S
from mpmodel.plugin.options import Settings
from mpmodel.plugin.run_context import RunContext


def settings_line(s: Settings) -> str:
    return (f"mpmodel: profile={s.profile} policies={','.join(s.policies)} jit={','.join(s.jit)} "
            f"fp32={','.join(s.fp32)} data={s.data}{' (offline)' if s.offline else ''} "
            f"accuracy_tol={s.accuracy_tol} min_speedup={s.min_speedup or 'table'}")


def context_lines(ctx: RunContext) -> list[str]:
    """Profile, data, device and the expectation for every mixed policy, compile mode and float32 variant."""
    p, data = ctx.profile, ctx.data
    why = f"; {data.note}" if data.note else ""
    lines = [f"mpmodel profile: {p.name} ({p.units} units, batch {p.batch_size}, {p.epochs} epochs; {p.description})",
             f"mpmodel data: {data.source} ({data.x_train.shape[0]} train / {data.x_test.shape[0]} test{why})",
             f"mpmodel device: {ctx.device.summary()}",
             f"mpmodel device class: {device_class(ctx.device)}",
             f"mpmodel timing: {TIMING_METHOD}: each round K steps and one host sync, K chosen per model so a "
             f"round lasts >= {ROUND_TARGET_S} s; warm-up >= {WARMUP_MIN_S:g} s"]
    for variant in ctx.fp32_variants:
        with ctx.float32_matmuls(variant):
            tf32 = ctx.tf32()
        against = "" if tf32 is None else f" against float32 {variant} (TF32 {'on' if tf32 else 'off'})"
        for mode in ctx.settings.jit:
            compiled = expected_jit_compile(mode, ctx.device.backend, ctx.device.gpu_visible)
            for policy in ctx.settings.policies:
                if policy in MIXED_POLICIES:
                    e = ctx.expectation(policy, tf32, compiled)
                    want = (f">= {e.min_speedup}x" if e.min_speedup is not None else
                            "half the gain of the measured matmul ceiling" if e.source == NO_ROW else "no speedup expected")
                    lines.append(f"mpmodel expects {policy} (jit {mode}){against}: {want} ({e.source}: {e.reason})")
    return lines
