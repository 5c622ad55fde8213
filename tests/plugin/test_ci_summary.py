"""The gates as Markdown in a CI job's summary, where GITHUB_STEP_SUMMARY names a file; nothing elsewhere."""

from mpmodel.plugin.ci_summary import append_summary, markdown

VERDICTS = [("test_speedup[small-jit_auto-fp32_default-mixed_bfloat16]", "pass", "1.73x, 95% CI [1.67, 1.77] >= 1.3x"),
            ("test_speedup[small-jit_auto-fp32_default-mixed_float16]", "skip", "0.80x | no speedup expected"),
            ("test_accuracy[small-jit_auto-fp32_default-mixed_bfloat16]", "FAIL", "drop 0.2 beyond 0.15")]


def test_the_table_has_a_row_per_gate_with_pipes_escaped():
    text = markdown("mpmodel gates: CPU AMD EPYC, small profile", VERDICTS)
    lines = text.splitlines()
    assert lines[0] == "### mpmodel gates: CPU AMD EPYC, small profile"
    assert lines[2] == "| gate | outcome | measured |"
    assert "| `test_speedup[small-jit_auto-fp32_default-mixed_float16]` | skip (not expected) | 0.80x &#124; no" in text
    assert "| **FAIL** | drop 0.2 beyond 0.15 |" in text


def test_appended_where_the_variable_is_set_and_nowhere_else(tmp_path):
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n")
    assert append_summary("gates", VERDICTS, {"GITHUB_STEP_SUMMARY": str(target)}) == target
    assert target.read_text().startswith("earlier step\n### gates\n")
    assert append_summary("gates", VERDICTS, {}) is None
    assert append_summary("gates", [], {"GITHUB_STEP_SUMMARY": str(target)}) is None
