"""The device matrix from the fixture's real runs: two contexts (oneDNN on, off), the latest run of each,
and the one fact between them named with what it did to each speedup."""

import json

from mpmodel.history.matrix import differences, matrix_rows
from mpmodel.history.render_matrix import matrix_json, matrix_markdown, matrix_text
from mpmodel.store.source import latest_of_each_context


def build_matrix(runs):
    """The matrix of a folder's runs: each context's latest, whole (the matrix command's own path)."""
    return matrix_rows(latest_of_each_context(runs))


def test_one_row_per_context_from_its_latest_run(saved_runs):
    rows = build_matrix(saved_runs)
    assert [(r.run.number, r.runs) for r in rows] == [("0002", 2), ("0003", 1)]  # A/A pair, then oneDNN off
    assert rows[0].label.endswith("TF_ENABLE_ONEDNN_OPTS unset") and rows[1].label.endswith("TF_ENABLE_ONEDNN_OPTS 0")
    bf16 = next(c for c in rows[0].cells if c.variant.policy == "mixed_bfloat16")
    assert bf16.speedup > 1.5 and len(bf16.pair_ratios) >= 10 and bf16.step_s > 0


def test_contexts_one_fact_apart_are_compared_on_their_speedups(saved_runs):
    (diff,) = differences(build_matrix(saved_runs))
    assert diff.fact == "TF_ENABLE_ONEDNN_OPTS unset -> 0"
    changes = {name: (change, significant) for name, change, significant in diff.changes}
    bf16, significant = changes["mixed_bfloat16"]
    assert significant and bf16.ratio < 0.6 and bf16.p_value < 0.001


def test_contexts_more_than_one_fact_apart_are_not_compared(saved_runs):
    import copy

    other = copy.deepcopy(saved_runs[2])
    other.machine_info["mpmodel"]["device"]["versions"]["keras"] = "3.99.0"  # oneDNN off and another Keras
    other.__dict__.pop("facts", None)  # read the facts anew (SavedRun caches them)
    rows = build_matrix([*saved_runs[:2], other])
    assert len(rows) == 2 and differences(rows) == []


def test_every_format_carries_the_rows_and_the_named_difference(saved_runs):
    rows = build_matrix(saved_runs)
    diffs = differences(rows)
    text = matrix_text(rows, diffs)
    assert "TF_ENABLE_ONEDNN_OPTS unset -> 0: mixed_float16 speedup" in text and "mixed_bfloat16 speedup 1.7" in text
    markdown = matrix_markdown(rows, diffs)
    assert markdown.startswith("| context | runs | latest | policy |") and "- TF_ENABLE_ONEDNN_OPTS unset -> 0:" in markdown
    data = json.loads(matrix_json(rows, diffs))
    assert len(data["contexts"]) == 2 and data["differences"][0]["fact"] == "TF_ENABLE_ONEDNN_OPTS unset -> 0"
    assert {s["variant"] for s in data["differences"][0]["speedups"]} == {"mixed_float16", "mixed_bfloat16"}


def _with_cudnn(run, version):
    import copy

    other = copy.deepcopy(run)
    other.machine_info["mpmodel"]["device"]["cudnn_build_version"] = version
    other.__dict__.pop("facts", None)  # SavedRun caches its facts
    return other


def test_a_cudnn_release_is_its_own_context_whichever_spelling_a_run_saved(saved_runs):
    """Stand-ins for a cuDNN upgrade: an older run's integer (91900, PyTorch's spelling) and a newer run's 9.19.0 are
    one context; 9.20.0 is another, and the matrix names the one fact between them."""
    same = build_matrix([_with_cudnn(saved_runs[0], "91900"), _with_cudnn(saved_runs[1], "9.19.0")])
    assert len(same) == 1 and same[0].runs == 2
    rows = build_matrix([_with_cudnn(saved_runs[0], 91900), _with_cudnn(saved_runs[1], "9.20.0")])
    (diff,) = differences(rows)
    assert diff.fact == "cuDNN 9.19.0 -> 9.20.0"
    assert "cuDNN 9.19.0 -> 9.20.0" in matrix_text(rows, [diff])
