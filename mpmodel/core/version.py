"""The package's version: one place, read by setuptools (pyproject.toml), `mpmodel --version` and every saved run.

CHANGELOG.md records, per version, what changed in saved results (schema, sizes, recipes), so a user knows
which runs compare.
"""

VERSION = "0.7.0"
