"""Timing two steps interleaved, A B A B ..., so that drift hits both alike.

Plain Python: the steps are any callables that return once their work is finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class InterleavedTimer:
    """Times `baseline` and `candidate` in alternation and keeps every pair.

    Built to sit in `benchmark.pedantic(timer.candidate_step, setup=timer.baseline_step)`:
    pytest-benchmark then times the candidate, while the baseline runs, timed here, just
    before each candidate round. `complete(n)` runs whatever pairs are still missing (when
    the benchmark fixture is disabled it runs one round only).
    """

    def __init__(self, baseline: Callable[[], object], candidate: Callable[[], object],
                 clock: Callable[[], float] = time.perf_counter):
        self._baseline, self._candidate, self._clock = baseline, candidate, clock
        self.baseline_times: list[float] = []
        self.candidate_times: list[float] = []

    def baseline_step(self) -> None:
        start = self._clock()
        self._baseline()
        self.baseline_times.append(self._clock() - start)

    def candidate_step(self) -> None:
        if len(self.candidate_times) >= len(self.baseline_times):
            raise RuntimeError("candidate step run before its baseline step: pairs would not interleave")
        start = self._clock()
        self._candidate()
        self.candidate_times.append(self._clock() - start)

    def pair(self) -> None:
        self.baseline_step()
        self.candidate_step()

    def complete(self, pairs: int, record: Callable[[float], object] | None = None) -> None:
        """Run pairs until at least `pairs` exist; `record` gets each new candidate time."""
        while len(self.candidate_times) < pairs:
            self.pair()
            if record is not None:
                record(self.candidate_times[-1])

    def last(self, pairs: int) -> tuple[list[float], list[float]]:
        """The last `pairs` (baseline, candidate) timings: warm-up pairs come first and are dropped."""
        if len(self.candidate_times) != len(self.baseline_times):
            raise RuntimeError("an unfinished pair: baseline and candidate counts differ")
        return self.baseline_times[-pairs:], self.candidate_times[-pairs:]
