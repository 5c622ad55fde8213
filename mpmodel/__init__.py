"""mpmodel: the seed's Keras MNIST model under precision policies, and the pytest suite that gates
mixed precision's speedup and accuracy against float32.

    >>> import mpmodel
    >>> model = mpmodel.build_model("mixed_bfloat16", profile="small")

Names that need Keras load on first use, so that importing the package (and its pytest plugin) loads
no framework. A user's own model goes under the gates as a `Workload` (mpmodel.core.workload) run with
`pytest --pyargs mpmodel.suite --mp-workload package.module:factory`. The package is laid out in five layers
(core, measure, store, plugin, history) and the suite; docs/architecture.md names them.
"""

import importlib

from mpmodel.core.data.dataset import Dataset
from mpmodel.core.policies import MIXED_POLICIES, POLICIES
from mpmodel.core.profiles import PROFILES, get_profile
from mpmodel.core.version import VERSION
from mpmodel.core.workload import Size, Workload

__version__ = VERSION
__all__ = ["MIXED_POLICIES", "POLICIES", "PROFILES", "Dataset", "Size", "Workload", "build_model", "get_profile",
           "load_data"]

_LAZY = {"build_model": "mpmodel.core.model", "load_data": "mpmodel.core.data"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mpmodel' has no attribute {name!r}")
