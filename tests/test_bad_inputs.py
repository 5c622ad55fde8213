"""Every bad input in tests/bad_inputs.py, run for real: one line naming it, a non-zero exit,
no traceback, nothing saved to the history."""


import pytest
from bad_inputs import CASES, run_case


@pytest.mark.session
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_line_a_failure_and_saves_nothing(case, tmp_path):
    out = run_case(case, tmp_path)
    assert out.exit_code != 0
    assert len(out.lines) == 1, out.lines
    assert case.expect in out.lines[0], out.lines[0]
    assert not out.traceback and out.saved == []
