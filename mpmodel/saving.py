"""Saving runs to the history so that nothing is lost and nothing is half-written.

pytest-benchmark numbers a saved run one past the highest number in the folder, then opens
the file and writes it in place. Two runs finishing together take the same number and one
overwrites the other; a run stopped mid-write leaves a truncated file that reads as a run.
`save_numbered` writes the whole file beside the target first; then, holding a lock on the
folder (filelock: the same lock on Linux, macOS and Windows), it takes the next number and gives
the file its name with a hard link, which the operating system refuses when the name exists
(a writer that does not take the lock cannot overwrite it either). `install` puts it in place
of pytest-benchmark's FileStorage.save and json writer.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock

from mpmodel.atomic import umask, write_atomically

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


# --- pytest-benchmark ------------------------------------------------------------------

UNSAVED_EXITS = {"INTERRUPTED": "the run was interrupted", "INTERNAL_ERROR": "pytest hit an internal error",
                 "USAGE_ERROR": "the run stopped on a usage error"}


def _dumps(output_json) -> bytes:
    from pytest_benchmark.utils import safe_dumps  # noqa: PLC0415

    return safe_dumps(output_json, ensure_ascii=True, indent=4).encode()


def install(benchmark_session) -> None:
    """Make pytest-benchmark's saves atomic: numbered runs through `save_numbered`, --benchmark-json
    through a temporary file and a rename. Storages other than files (elasticsearch) are left alone."""
    from pytest_benchmark.storage.file import FileStorage  # noqa: PLC0415

    storage = getattr(benchmark_session, "storage", None)
    if isinstance(storage, FileStorage):
        def save(output_json, save):
            target = save_numbered(storage.get(""), save, _dumps(output_json))
            storage.logger.info(f"Saved benchmark data in: {target}")
        storage.save = save

    if getattr(benchmark_session, "json", None) is not None:
        def save_json(output_json):
            path = Path(benchmark_session.json)
            write_atomically(path, lambda tmp: tmp.write_bytes(_dumps(output_json)))
            benchmark_session.logger.info(f"Wrote benchmark data in: {path}", purple=True)
        benchmark_session.save_json = save_json


def unsaved_reason(exitstatus) -> str | None:
    """Why a session that ended with `exitstatus` must not be saved, or None to save it. A run with
    failing gates is saved (its history matters); a run cut short is not (it would read as a run)."""
    try:
        name = pytest.ExitCode(exitstatus).name  # pytest passes an ExitCode, a plugin may pass an int
    except ValueError:
        return None
    return UNSAVED_EXITS.get(name)


def cancel_saving(benchmark_session) -> bool:
    """Turn off every save of this session; True when one was asked for."""
    asked = bool(benchmark_session.save or benchmark_session.autosave or benchmark_session.json)
    benchmark_session.save = benchmark_session.autosave = False
    benchmark_session.json = None
    return asked
