"""The history plot from real runs: a real PNG, written whole; a clear error without matplotlib."""

import sys

import pytest

from mpmodel.history.render_plot import PlotUnavailable, plot_history

PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_writes_a_png(tmp_path, saved_runs):
    target = plot_history(saved_runs, {}, tmp_path / "out" / "history.png")
    data = target.read_bytes()
    assert data.startswith(PNG) and len(data) > 20_000
    assert [p.name for p in target.parent.iterdir()] == ["history.png"]  # no temporary left behind


def test_a_speedup_saved_without_its_interval_is_left_out_not_a_keyerror(tmp_path, saved_runs):
    import copy

    edited = copy.deepcopy(saved_runs)
    for run in edited:
        for res in run.results.values():
            res.extra.pop("speedup_ci_low", None)  # the promise of mpmodel.measure.results: history never raises
    assert plot_history(edited, {}, tmp_path / "history.png").read_bytes().startswith(PNG)


def test_without_matplotlib_the_error_says_what_to_install(tmp_path, saved_runs, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotUnavailable, match=r"pip install 'mpmodel\[plot\]'"):
        plot_history(saved_runs, {}, tmp_path / "history.png")
    assert not (tmp_path / "history.png").exists()


def png_height(path) -> int:
    return int.from_bytes(path.read_bytes()[20:24], "big")  # the IHDR chunk's height


@pytest.mark.framework
def test_runs_with_memory_results_get_a_memory_panel(tmp_path, saved_runs):
    import copy

    from mpmodel.store.runs import Result

    with_memory = copy.deepcopy(saved_runs)
    for i, run in enumerate(with_memory):
        samples = [int((80 + i + j) * 2**20) for j in range(5)]
        run.results["test_memory[small-jit_auto-fp32_default-mixed_bfloat16]"] = Result(
            "test_memory[small-jit_auto-fp32_default-mixed_bfloat16]", "test_memory", "mixed_bfloat16", "small", [5.0],
            {"policy": "mixed_bfloat16", "footprint_samples": samples, "footprint_bytes": samples[2]})
    plain = plot_history(saved_runs, {}, tmp_path / "plain.png")
    memory = plot_history(with_memory, {}, tmp_path / "memory.png")
    assert memory.read_bytes().startswith(PNG)
    assert png_height(memory) > png_height(plain) * 1.2  # a third panel
