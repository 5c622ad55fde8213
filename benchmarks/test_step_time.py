"""The suite's step_time benchmarks, as shipped in the package (mpmodel/suite/test_step_time.py, which says what they measure)."""

from mpmodel.suite.test_step_time import test_step_time  # noqa: F401 (collected here by pytest)
