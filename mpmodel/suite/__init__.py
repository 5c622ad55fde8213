"""The suite's benchmarks, shipped inside the package: `pytest --pyargs mpmodel.suite` runs them from any
project with mpmodel installed (`--mp-workload package.module:factory` puts your own model under them); the
repo's `benchmarks/` runs the same tests."""
