"""The baseline is chosen by branch, the same way from a folder and from a database: `previous` on the latest's
branch, `branch:NAME`, and `baseline` (a pull request's base branch); no such run is NoBaseline, which `mpmodel
compare` answers with exit 3, or 0 with --no-baseline-ok, and says on the CI step summary."""

import io
import json
from datetime import timedelta

import pytest

from mpmodel.history.cli import main
from mpmodel.store.baseline import NoBaseline, pick, wanted_branch
from mpmodel.store.runs import HistoryError
from mpmodel.store.source import open_source

BRANCHES = ["main", "feature", None, "main", "feature"]  # 0001 .. 0005, oldest first; None: no branch recorded


def _history(folder, saved_runs, branches=BRANCHES):
    """Real runs renumbered an hour apart, on the given branches ("(detached head)" where None)."""
    folder.mkdir(parents=True, exist_ok=True)
    start = saved_runs[0].when
    for i, branch in enumerate(branches, start=1):
        content = json.loads(saved_runs[(i - 1) % len(saved_runs)].path.read_text())
        content["datetime"] = (start + timedelta(hours=i)).isoformat()
        content["commit_info"]["branch"] = branch or "(detached head)"
        (folder / f"{i:04d}_run.json").write_text(json.dumps(content))
    return folder


@pytest.fixture(params=["folder", "sqlite"])
def source_of(request, tmp_path, saved_runs):
    def make(branches=BRANCHES):
        folder = _history(tmp_path / "runs", saved_runs, branches)
        if request.param == "folder":
            return str(folder)
        url = f"sqlite:///{tmp_path / 'h.db'}"
        assert main(["ingest", str(folder), "--source", url], out=io.StringIO()) == 0
        return url
    return make


def test_previous_is_the_newest_earlier_run_on_the_latest_branch(source_of):
    source = open_source(source_of())
    assert source.resolve("latest").number == "0005"  # on feature
    assert source.resolve("previous").number == "0003"  # no branch recorded: it may stand in, and it is newer than 0002


def test_previous_skips_other_branches(source_of):
    assert open_source(source_of(["main", "feature", "main"])).resolve("previous").number == "0001"


def test_branch_names_its_newest_run_other_than_the_latest(source_of):
    source = open_source(source_of())
    assert source.resolve("branch:main").number == "0004"
    assert source.resolve("branch:feature").number == "0002"  # 0005 is the latest itself
    with pytest.raises(NoBaseline, match="branch:release: no saved run on branch release before run 0005"):
        source.resolve("branch:release")
    with pytest.raises(HistoryError, match="name a branch"):
        source.resolve("branch:")


def test_baseline_on_a_pull_request_is_its_base_branch(source_of, monkeypatch):
    source = open_source(source_of())
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    assert source.resolve("baseline").number == "0004"
    monkeypatch.setenv("GITHUB_BASE_REF", "")  # a push: previous
    assert source.resolve("baseline").number == "0003"


def test_a_pull_request_with_no_run_of_its_base_branch_has_no_baseline(source_of, monkeypatch):
    source = open_source(source_of(["feature", None, "feature"]))
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    with pytest.raises(NoBaseline, match=r"GITHUB_BASE_REF=main: a pull request"):  # a run with no branch is not main's
        source.resolve("baseline")


def test_wanted_branch_reads_the_base_ref_only_for_baseline():
    env = {"GITHUB_BASE_REF": "main"}
    assert wanted_branch("baseline", "feature", env) == ("main", False)
    assert wanted_branch("previous", "feature", env) == ("feature", True)
    assert wanted_branch("baseline", None, {}) == (None, True)


def test_an_empty_history_has_no_baseline():
    with pytest.raises(NoBaseline, match="holds no readable saved run yet"):
        pick("previous", [], "runs")


def test_compare_with_no_baseline_exits_3_or_0_when_asked_and_says_so(source_of, tmp_path, monkeypatch):
    source = source_of(["main"])
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = io.StringIO()
    assert main(["compare", "previous", "latest", "--source", source], out=out) == 3
    assert "no baseline: previous: no saved run on branch main before run 0001" in out.getvalue()
    assert "(exit 3)" in out.getvalue()
    out = io.StringIO()
    assert main(["compare", "baseline", "latest", "--source", source, "--no-baseline-ok", "--fail-on-regression"],
                out=out) == 0
    assert "(this run is the baseline)" in out.getvalue()
    assert summary.read_text().count("### mpmodel compare") == 2


def test_compare_against_a_baseline_writes_its_table_to_the_step_summary(source_of, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = io.StringIO()
    assert main(["compare", "baseline", "latest", "--source", source_of(), "--no-baseline-ok"], out=out) == 0
    text = summary.read_text()
    assert text.startswith("### mpmodel compare: ") and "| series | policy | before | after |" in text
    assert "thresholds:" in text


def test_the_ci_branch_is_recorded_where_git_has_a_detached_head(monkeypatch):
    from mpmodel.plugin.session import pytest_benchmark_update_commit_info
    monkeypatch.setenv("GITHUB_HEAD_REF", "feature")
    info = {"branch": "(detached head)", "id": "abc"}
    pytest_benchmark_update_commit_info(None, info)
    assert info["branch"] == "feature" and info["branch_from"] == "GITHUB_HEAD_REF"
    kept = {"branch": "main"}
    pytest_benchmark_update_commit_info(None, kept)
    assert kept == {"branch": "main"}


def test_a_saved_run_reads_its_branch(saved_runs):
    assert saved_runs[0].branch == "main"
