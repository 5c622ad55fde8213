"""Each Keras backend in one place, behind one interface, as Keras lays out `keras/src/backend/<name>/`.

A backend is a folder: its `__init__` holds its traits (`base.Traits`: light, no framework loaded), its
`runtime` module everything that calls the framework (`base.Runtime`: the K-step training loop, the kernels
alone compiled for the speed of light, TF32 and float32 matmul precision, device facts, allocator memory
statistics, device-side timing). `traits(name)` answers before any framework loads; `runtime()` loads the
Keras backend in use once per process. No module outside this package imports TensorFlow, JAX or PyTorch or
branches on a backend's name (tests/test_layers.py checks it); adding or fixing a backend is this folder.
"""

from __future__ import annotations

import functools
import importlib

from mpmodel.core.backends import jax, tensorflow, torch
from mpmodel.core.backends.base import Runtime, Traits, UnsupportedBackend

__all__ = ["KERAS_DEFAULT", "NAMES", "Runtime", "Traits", "UnsupportedBackend", "runtime", "traits"]

TRAITS: dict[str, Traits] = {t.name: t for t in (tensorflow.TRAITS, jax.TRAITS, torch.TRAITS)}
NAMES = tuple(TRAITS)
KERAS_DEFAULT = "tensorflow"  # Keras 3's backend where neither KERAS_BACKEND nor keras.json names one


def traits(name: str | None) -> Traits | None:
    """A backend's traits, None for a backend mpmodel does not support (or none named); loads no framework."""
    return TRAITS.get(name) if name else None


def supported(name: str) -> Traits:
    """A backend's traits; UnsupportedBackend names the supported ones otherwise."""
    found = traits(name)
    if found is None:
        raise UnsupportedBackend(f"Keras backend {name!r} is not supported by mpmodel; supported: {', '.join(NAMES)}")
    return found


@functools.cache
def _load(name: str) -> Runtime:
    return importlib.import_module(f"{__name__}.{supported(name).name}.runtime").Backend()


def runtime(name: str | None = None) -> Runtime:
    """The runtime of backend `name`, by default the Keras backend in use; loaded once per process (this is where
    its framework loads). UnsupportedBackend for a backend without one."""
    if name is None:
        import keras  # noqa: PLC0415 (the backend in use is Keras's choice: read where a runtime is first needed)

        name = keras.backend.backend()
    return _load(name)
