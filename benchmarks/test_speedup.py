"""The suite's speedup benchmarks, as shipped in the package (mpmodel/suite/test_speedup.py, which says what they measure)."""

from mpmodel.suite.test_speedup import test_speedup  # noqa: F401 (collected here by pytest)
