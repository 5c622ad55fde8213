"""Atomic writes: whole file or nothing, usual permissions, no temporary left behind."""

import os

import pytest

from mpmodel.core.atomic import write_atomically


def test_writes_the_file_with_umask_permissions(tmp_path):
    target = write_atomically(tmp_path / "sub" / "out.txt", lambda p: p.write_text("hello"))
    assert target.read_text() == "hello"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
