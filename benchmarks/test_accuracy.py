"""The suite's accuracy benchmarks, as shipped in the package (mpmodel/suite/test_accuracy.py, which says what they measure)."""

from mpmodel.suite.test_accuracy import float32_fit, test_accuracy, test_seed_recipe_accuracy  # noqa: F401 (collected here by pytest)
