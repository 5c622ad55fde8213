"""What every data source returns: four validated arrays and where they came from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class DataError(Exception):
    """Data that cannot be used; the message is one line naming the input and the problem."""


@dataclass(frozen=True)
class Dataset:
    """Train and test arrays and a line saying where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    note: str = ""  # why this source was used, where an earlier one was passed over
