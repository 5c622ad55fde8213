"""Every bad input in tests/bad_inputs.py: one line naming it, a non-zero exit, no traceback, nothing saved to the
history. Each case runs in this process (the suite through pytester, the CLI through its main); the cases in
IN_A_CHILD, one for each wiring that needs a process of its own, run in a real child too (slow tier)."""

import importlib

import pytest
from bad_inputs import CASES, IN_A_CHILD, PRELOAD, run_case, run_case_in_process

pytest_plugins = ("pytester",)
CHILD_CASES = [c for c in CASES if c.name in IN_A_CHILD]


def check(case, out):
    assert out.exit_code != 0, out.stdout[-2000:]
    assert len(out.lines) == 1, out.lines
    assert case.expect in out.lines[0], out.lines[0]
    assert not out.traceback and out.saved == []


@pytest.fixture(scope="module")
def preloaded():
    """The suite's heavy modules, imported before pytester snapshots sys.modules (it drops what a run imports)."""
    for name in PRELOAD:
        importlib.import_module(name)


def test_each_wiring_that_needs_a_child_has_one():
    assert len(CHILD_CASES) == len(IN_A_CHILD)
    assert {c.kind for c in CHILD_CASES} == {c.kind for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_line_a_failure_and_saves_nothing(case, preloaded, pytester, monkeypatch, capsys):
    check(case, run_case_in_process(case, pytester, monkeypatch, capsys))


@pytest.mark.session
@pytest.mark.parametrize("case", CHILD_CASES, ids=[c.name for c in CHILD_CASES])
def test_bad_input_in_a_child_process_is_one_line_too(case, tmp_path):
    check(case, run_case(case, tmp_path))
