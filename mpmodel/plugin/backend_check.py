"""Which Keras backend the session will load, and one line instead of a traceback when it is not installed.

Reads the choice as Keras 3 makes it, without importing Keras or any framework.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from mpmodel.core.backends import KERAS_DEFAULT, NAMES, traits


def configured_backend() -> tuple[str, str]:
    """(backend, where it was chosen) as Keras 3 will choose it: KERAS_BACKEND, else the "backend" of
    $KERAS_HOME/keras.json (default ~/.keras), else tensorflow. Reads no framework."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "KERAS_BACKEND"
    config = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "keras.json"
    try:
        backend = json.loads(config.read_text()).get("backend")
    except (OSError, ValueError, AttributeError):
        backend = None
    return (backend, str(config)) if backend else (KERAS_DEFAULT, "Keras's default")


def missing_backend_message(exc: ImportError) -> str:
    """One line: which backend Keras wanted, why it failed, and what is installed instead."""
    backend, where = configured_backend()
    installed = [b for b in NAMES if importlib.util.find_spec(b) is not None]
    known = traits(backend)
    fixes = [f"pip install 'mpmodel[{known.extra}]'"] if known else []
    fixes += [f"KERAS_BACKEND={b}" for b in installed if b != backend]
    return (f"Keras backend {backend} (from {where}) cannot load ({exc}); "
            f"installed backends: {', '.join(installed) or 'none'}; fix: {' or '.join(fixes) or 'set KERAS_BACKEND'}")


def check_backend_installed() -> None:
    """Stop with one line, before any test module imports Keras, when the backend is not installed."""
    backend, _ = configured_backend()
    if importlib.util.find_spec(backend) is None:
        raise pytest.UsageError(missing_backend_message(ImportError(f"No module named '{backend}'")))
