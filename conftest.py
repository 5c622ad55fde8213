"""Root conftest: loads the mpmodel pytest plugin (options, fixtures, hooks)."""

pytest_plugins = ("mpmodel.plugin",)
