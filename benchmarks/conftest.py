"""The suite's fixtures and backend check, as shipped in the package (mpmodel/suite/conftest.py)."""

from mpmodel.suite.conftest import pytest_sessionstart, speed_of_light  # noqa: F401 (pytest reads them here)
