"""Saving runs to the history so that nothing is lost and nothing is half-written.

pytest-benchmark numbers a saved run one past the highest number in the folder, then opens
the file and writes it in place. Two runs finishing together take the same number and one
overwrites the other; a run stopped mid-write leaves a truncated file that reads as a run.
`save_numbered` writes the whole file beside the target first; then, holding a lock on the
folder (filelock: the same lock on Linux, macOS and Windows), it takes the next number and gives
the file its name with a hard link, which the operating system refuses when the name exists
(a writer that does not take the lock cannot overwrite it either). The pytest-benchmark adapter
(`benchmark_session`) puts it in place of pytest-benchmark's own save.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock

from mpmodel.core.atomic import umask

NUMBERED = re.compile(r"^(\d{4})_.*\.json$")
MAX_ATTEMPTS = 1000
LOCK_FILE = ".mpmodel-save.lock"  # hidden and not *.json: no reader takes it for a run
LOCK_TIMEOUT_S = 60


def next_number(folder: Path) -> int:
    """One past the highest NNNN_*.json number in `folder` (1 when there is none)."""
    numbers = [int(m.group(1)) for p in folder.glob("[0-9][0-9][0-9][0-9]_*.json") if (m := NUMBERED.match(p.name))]
    return max(numbers, default=0) + 1


def _claim(tmp: Path, target: Path) -> bool:
    """Give the finished file `tmp` the name `target` unless that name exists; True when claimed."""
    try:
        os.link(tmp, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:  # a filesystem without hard links: claim the name, then move the whole file onto it
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    try:
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    os.replace(tmp, target)  # the claimed name held an empty file for this instant; history skips empty files
    return True


def save_numbered(folder, suffix: str, data: bytes) -> Path:
    """Write `data` as `folder/NNNN_<suffix>.json` under the next free number, whole or not at all."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".mpmodel-save.", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # on disk before it has a name: a power cut cannot leave an empty run
        os.chmod(tmp, 0o666 & ~umask())
        with FileLock(folder / LOCK_FILE, timeout=LOCK_TIMEOUT_S):
            number = next_number(folder)
            for _ in range(MAX_ATTEMPTS):
                target = folder / f"{number:04d}_{suffix}.json"
                if _claim(tmp, target):
                    return target
                number = max(number + 1, next_number(folder))
        raise OSError(f"{folder}: no free run number after {MAX_ATTEMPTS} tries")
    finally:
        tmp.unlink(missing_ok=True)


UNSAVED_EXITS = {"INTERRUPTED": "the run was interrupted", "INTERNAL_ERROR": "pytest hit an internal error",
                 "USAGE_ERROR": "the run stopped on a usage error"}


def unsaved_reason(exitstatus) -> str | None:
    """Why a session that ended with `exitstatus` must not be saved, or None to save it. A run with
    failing gates is saved (its history matters); a run cut short is not (it would read as a run)."""
    try:
        name = pytest.ExitCode(exitstatus).name  # pytest passes an ExitCode, a plugin may pass an int
    except ValueError:
        return None
    return UNSAVED_EXITS.get(name)
