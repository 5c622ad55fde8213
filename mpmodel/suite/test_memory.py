"""Memory: each policy's training-step peak above its resting state, and the resting state itself.

Measured in a fresh child process per policy (mpmodel.core.memory_probe), never inside a timed
benchmark: on a GPU through the framework's allocator, on a CPU through the process's peak resident
set, reset before each of 5 steps. Beside it the analytic figure: the least the step must hold
(mpmodel.core.memory.analytic_bytes). On CPUs the frameworks keep a step's buffers between steps, so the
footprint (resting plus step peak) is recorded too, and history judges it. A mixed policy's gate compares
its step peak with float32's: where the device should save memory (GPUs: half-size activations) the
median ratio must be at most the table's; where it should not (CPUs), the ratio is recorded and the skip
says why. pytest-benchmark's time here is the child process's (build, warm-up, 5 steps), not a step's.
`--mp-memory off` skips these tests.
"""

import pytest

from mpmodel.core.memory import analytic_bytes
from mpmodel.core.policies import BASELINE
from mpmodel.measure.expectations import memory_expectation_for
from mpmodel.measure.gates import memory_verdict
from mpmodel.measure.results import MemoryRatios, MemoryResult


def test_memory(benchmark, mp_run, jit, fp32, policy):
    if not mp_run.settings.memory:
        pytest.skip("--mp-memory off: step memory not measured in this run")
    profile = mp_run.profile
    key = mp_run.key(policy, jit, fp32)
    mp_run.stop_if_not_running(benchmark, key)
    mp_run.skip_if_crawling(benchmark, "test_memory", key)
    measured = benchmark.pedantic(mp_run.memory, args=(key,), rounds=1, iterations=1)
    analytic = analytic_bytes(profile, policy)
    benchmark.extra_info.update({**mp_run.facts(key), **MemoryResult(
        profile.batch_size, measured.peak, measured.peak_step_bytes, measured.resting_bytes, measured.footprint,
        measured.footprints, analytic and analytic.step_bytes, analytic and analytic.resting_bytes,
        measured.method).fields()})
    if policy == BASELINE:
        return
    base = mp_run.memory(key.float32)
    analytic_ratio = analytic.step_bytes / analytic_bytes(profile, BASELINE).step_bytes if analytic else None
    footprint_ratio = measured.footprint / base.footprint
    verdict = memory_verdict(policy, measured.peak_step_bytes, base.peak_step_bytes, analytic_ratio,
                             memory_expectation_for(mp_run.device, policy), footprint_ratio)
    benchmark.extra_info.update(MemoryRatios(measured.peak / base.peak, base.peak, analytic_ratio, footprint_ratio).fields())
    mp_run.conclude(benchmark, verdict)
