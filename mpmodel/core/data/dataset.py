"""What every data source returns: four validated arrays and where they came from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class DataError(Exception):
    """Data that cannot be used; the message is one line naming the input and the problem."""


class NotThisWorkloads(DataError):
    """A source of a kind the workload does not read at all (a file for a synthetic task, CIFAR-10 for the
    MLP), as against one it reads that is broken or missing: with one --mp-data for every workload, such a
    workload keeps its own data (mpmodel.plugin.data_choice)."""

    def __init__(self, spec: str, workload: str, why: str):
        self.spec, self.workload, self.why = spec, workload, why
        super().__init__(f"{spec}: workload {workload} {why}; use --mp-data auto or synthetic")


@dataclass(frozen=True)
class Dataset:
    """Train and test arrays and a line saying where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    note: str = ""  # why this source was used, where an earlier one was passed over
