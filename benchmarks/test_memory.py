"""The suite's memory benchmarks, as shipped in the package (mpmodel/suite/test_memory.py, which says what they measure)."""

from mpmodel.suite.test_memory import test_memory  # noqa: F401 (collected here by pytest)
