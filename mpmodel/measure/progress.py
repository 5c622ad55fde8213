"""Progress of long work: a test's accuracy fits, one line as a fit ends, with the time left.

The time left is the epochs still to run, at the mean epoch time seen so far in this test. With `every_s`
(the default run's), a fit's line is written only where that long has passed since the test began or since
its last line, so a quick test says nothing and a long one says it is alive about every two minutes; with 0 (-v),
every fit has its line. Plain Python: lines go to any `say(str)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mpmodel.measure.cost import minutes

FIT_LINE_EVERY_S = 120.0  # the default run's least gap between two fit lines of one test (a line costs a screen 3)


class FitProgress:
    """`fit(policy, seed)` gives the `progress(epochs done, epochs)` callback of one fit of `total_fits`."""

    def __init__(self, say: Callable[[str], None], total_fits: int, epochs: int,
                 clock: Callable[[], float] = time.perf_counter, every_s: float = 0.0):
        self.say, self.total_epochs, self.clock, self.every_s = say, total_fits * epochs, clock, every_s
        self.total_fits, self.fits_done = total_fits, 0
        self.start = self.last_line = clock()
        self.done = 0

    def fit(self, policy: str, seed: int) -> Callable[[int, int], None]:
        fit_start = self.clock()

        def progress(epoch: int, epochs: int) -> None:
            self.done += 1
            now = self.clock()
            spent = now - self.start
            left = minutes(spent / self.done * max(0, self.total_epochs - self.done))
            if epoch < epochs:
                return
            self.fits_done += 1
            if now - self.last_line < self.every_s:
                return
            self.last_line = now
            self.say(f"mpmodel fit {self.fits_done}/{self.total_fits}: {policy} seed {seed}, {epochs} epochs in "
                     f"{minutes(now - fit_start)}; about {left} left in this test")
        return progress
