"""A planted allocation, for the memory history check (studies/planted_memory.py): with this folder on
PYTHONPATH and MPMODEL_PLANT_MIB=policy=MiB set, every training step of that policy allocates and touches
MiB more, freed when the step ends. Python imports this module at start-up, in every process: the
suite's own and each memory probe child. The patch waits until mpmodel.core.training is imported."""

import importlib.abc
import importlib.util
import os
import sys

SPEC = os.environ.get("MPMODEL_PLANT_MIB", "")


def plant(training):
    policy, mib = SPEC.split("=")
    run = training.TrainingStep.run

    def planted(self, steps):
        if self.model.dtype_policy.name != policy:
            return run(self, steps)
        import numpy as np

        block = np.ones(int(float(mib) * 2**20) // 8)  # np.ones writes every page: resident, not just reserved
        try:
            return run(self, steps)
        finally:
            del block

    training.TrainingStep.run = planted


class PlantOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "mpmodel.core.training":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            plant(module)

        spec.loader.exec_module = exec_module
        return spec


if "=" in SPEC:
    sys.meta_path.insert(0, PlantOnImport())
