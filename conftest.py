"""Root conftest: names the mpmodel pytest plugin, for sessions where plugin autoloading is off
(PYTEST_DISABLE_PLUGIN_AUTOLOAD). Installed, mpmodel registers the same module through its pytest11
entry point, named after the module, so pytest registers it once either way."""

pytest_plugins = ("mpmodel.plugin",)
