"""The summary as Markdown in a CI job's summary, where GITHUB_STEP_SUMMARY names a file, and in --mp-summary's."""

from mpmodel.measure.summary import GateRecord
from mpmodel.plugin.ci_summary import append_summary

GATES = [GateRecord("test_speedup", "test_speedup[small-jit_auto-fp32_default-mixed_bfloat16]", "pass", "1.73x >= 1.3x",
                    "", {"workload": "mlp", "policy": "mixed_bfloat16", "speedup": 1.73})]


def test_appended_where_the_variable_or_the_option_names_a_file_and_nowhere_else(tmp_path):
    target, other = tmp_path / "summary.md", tmp_path / "other.md"
    target.write_text("earlier step\n")
    assert append_summary("gates", GATES, {"GITHUB_STEP_SUMMARY": str(target)}, also=str(other)) == [target, other]
    assert target.read_text().startswith("earlier step\n### gates\n")
    assert other.read_text() == target.read_text().removeprefix("earlier step\n")
    assert append_summary("gates", GATES, {}) == []
    assert append_summary("gates", [], {"GITHUB_STEP_SUMMARY": str(target)}) == []
