"""Progress of long work: a test's accuracy fits, one line as each fit ends, with the time left.

The time left is the epochs still to run, at the mean epoch time seen so far in this test. Plain
Python: lines go to any `say(str)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mpmodel.measure.cost import minutes


class FitProgress:
    """`fit(policy, seed)` gives the `progress(epochs done, epochs)` callback of one fit of `total_fits`."""

    def __init__(self, say: Callable[[str], None], total_fits: int, epochs: int,
                 clock: Callable[[], float] = time.perf_counter):
        self.say, self.total_epochs, self.clock = say, total_fits * epochs, clock
        self.total_fits, self.fits_done = total_fits, 0
        self.start = clock()
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
            self.say(f"mpmodel fit {self.fits_done}/{self.total_fits}: {policy} seed {seed}, {epochs} epochs in "
                     f"{minutes(now - fit_start)}; about {left} left in this test")
        return progress
