"""Saving runs: whole files under unique numbers, even with two savers at once or a crash mid-save;
sessions cut short save nothing."""

import errno
import json
import multiprocessing

import pytest

from mpmodel.plugin import saving
from mpmodel.plugin.saving import LOCK_FILE, next_number, save_numbered, unsaved_reason


def names(folder):
    """What a reader sees in `folder`: everything but the savers' lock file."""
    return sorted(p.name for p in folder.iterdir() if p.name != LOCK_FILE)

pytest_plugins = ("pytester",)


def test_next_number_follows_the_highest_numbered_run(tmp_path):
    assert next_number(tmp_path) == 1
    for name in ("0001_a.json", "0007_b.json", "0009_c.txt", "x_0010.json", ".0012_d.json.tmp"):
        (tmp_path / name).write_text("{}")
    assert next_number(tmp_path) == 8


def test_save_numbered_writes_the_whole_file_and_no_temporary(tmp_path):
    path = save_numbered(tmp_path / "Linux-64bit", "abc_20261124", b'{"x": 1}')
    assert path.name == "0001_abc_20261124.json" and json.loads(path.read_text()) == {"x": 1}
    again = save_numbered(tmp_path / "Linux-64bit", "abc_20261124", b"{}")
    assert again.name == "0002_abc_20261124.json"
    assert names(path.parent) == ["0001_abc_20261124.json", "0002_abc_20261124.json"]


def test_a_number_taken_between_counting_and_claiming_goes_to_the_next(tmp_path, monkeypatch):
    real = saving._claim

    def racing(tmp, target):  # another run claims the same number first
        if not target.exists():
            target.write_text('{"other": true}')
        monkeypatch.setattr(saving, "_claim", real)
        return real(tmp, target)

    monkeypatch.setattr(saving, "_claim", racing)
    path = save_numbered(tmp_path, "mine", b'{"mine": true}')
    assert path.name == "0002_mine.json" and json.loads(path.read_text()) == {"mine": True}
    assert json.loads((tmp_path / "0001_mine.json").read_text()) == {"other": True}


def _save_many(folder, tag, count, barrier):
    barrier.wait()
    for i in range(count):
        save_numbered(folder, tag, json.dumps({"tag": tag, "i": i}).encode())


def test_concurrent_savers_lose_nothing(tmp_path):
    """Four processes saving 25 runs each into one folder, started together: 100 whole files."""
    ctx = multiprocessing.get_context("spawn")  # fork would copy the threads of any framework already imported
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_save_many, args=(tmp_path, f"p{n}", 25, barrier)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    files = sorted(tmp_path.glob("*.json"))
    contents = {(d["tag"], d["i"]) for d in (json.loads(f.read_text()) for f in files)}
    assert len(files) == 100 and len(contents) == 100
    assert sorted(int(f.name[:4]) for f in files) == list(range(1, 101))
    assert all(n.endswith(".json") for n in names(tmp_path))


def test_a_crash_while_claiming_leaves_no_run_and_no_temporary(tmp_path, monkeypatch):
    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(saving.os, "link", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_numbered(tmp_path, "run", b"{}")
    assert names(tmp_path) == []


def test_without_hard_links_the_name_is_claimed_then_filled(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "hard links not permitted")

    monkeypatch.setattr(saving.os, "link", no_links)
    (tmp_path / "0001_old.json").write_text("{}")
    path = save_numbered(tmp_path, "run", b'{"ok": 1}')
    assert path.name == "0002_run.json" and json.loads(path.read_text()) == {"ok": 1}
    assert names(tmp_path) == ["0001_old.json", "0002_run.json"]


def test_sessions_cut_short_are_not_saved_and_failing_ones_are():
    assert unsaved_reason(pytest.ExitCode.INTERRUPTED) == "the run was interrupted"
    assert unsaved_reason(pytest.ExitCode.USAGE_ERROR) and unsaved_reason(pytest.ExitCode.INTERNAL_ERROR)
    assert unsaved_reason(pytest.ExitCode.TESTS_FAILED) is None and unsaved_reason(pytest.ExitCode.OK) is None
    assert unsaved_reason(2) == "the run was interrupted" and unsaved_reason(99) is None  # plain ints too


STOPPING_BENCHMARK = """
import os, signal

def test_first(benchmark):
    benchmark(sum, range(100))

def test_stops(benchmark):
    benchmark(sum, range(100))
    {stop}
"""


@pytest.mark.session
@pytest.mark.parametrize("stop,name", [("raise KeyboardInterrupt", "Ctrl-C"),
                                       ("os.kill(os.getpid(), signal.SIGTERM)", "SIGTERM")])
def test_an_interrupted_session_saves_nothing(pytester, stop, name):
    """A session stopped after one benchmark finished: no run file at all, and it says so."""
    pytester.makepyfile(STOPPING_BENCHMARK.format(stop=stop))
    storage = pytester.path / "storage"
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "--benchmark-autosave",
                                         "--mp-offline",  # the suite in use
                                           f"--benchmark-json={pytester.path / 'out.json'}",
                                           f"--benchmark-storage=file://{storage}")
    assert result.ret == pytest.ExitCode.INTERRUPTED, name
    result.stdout.fnmatch_lines(["*mpmodel: nothing saved to the history: the run was interrupted*"])
    assert not [p for p in storage.rglob("*") if p.is_file()]
    assert not (pytester.path / "out.json").exists()


@pytest.mark.session
def test_pytest_benchmark_saves_through_the_locked_numbered_writer(pytester):
    pytester.makepyfile("def test_sum(benchmark):\n    benchmark(sum, range(100))\n")
    storage = pytester.path / "storage"
    for _ in range(2):
        result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "--benchmark-autosave",
                                         "--mp-offline",  # the suite in use "--mp-offline",  # the suite in use
                                               f"--benchmark-storage=file://{storage}",
                                               f"--benchmark-json={pytester.path / 'out.json'}")
        assert result.ret == 0
    (folder,) = [p for p in storage.iterdir() if p.is_dir()]
    assert (folder / LOCK_FILE).exists()  # the lock is ours: pytest-benchmark's own save takes none
    assert [n[:4] for n in names(folder)] == ["0001", "0002"]
    assert json.loads((pytester.path / "out.json").read_text())["benchmarks"][0]["name"] == "test_sum"
